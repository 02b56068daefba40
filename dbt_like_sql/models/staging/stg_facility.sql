-- facilities and organisations (schools, hospitals, sites, works, units) of a facility register
-- (facility_register), typed and normalised.

with

source as (

    select * from raw.facility

),

cleaned as (

    -- characters (macros/cleaning.sql)
    select
        clean_text(nfc_normalize(facility_id)) as facility_id,
        clean_text(nfc_normalize(name)) as name,
        clean_identifier(tax_code) as tax_code,
        clean_identifier(province_code) as province_code,
        clean_identifier(commune_code) as commune_code,
        clean_text(nfc_normalize(address)) as address,
        phone_digits(phone) as phone,
        clean_text(nfc_normalize(category)) as category,
        clean_value(updated_at) as updated_at
    from source

),

normalised as (

    -- values (macros/normalising.sql); codes upper case
    select
        facility_id,
        name,
        upper(tax_code) as tax_code,
        pad_code(province_code, 2) as province_code,
        pad_code(commune_code, 5) as commune_code,
        address,
        national_phone(phone) as phone,
        upper(category) as category,
        updated_at
    from cleaned

),

typed as (

    -- contract types; a value that does not parse becomes null (the raw table keeps it for the checks)
    select
        facility_id,
        name,
        tax_code,
        province_code,
        commune_code,
        address,
        phone,
        category,
        try_cast(updated_at as timestamptz) as updated_at
    from normalised

),

final as (

    -- match keys (macros/keys.sql)
    select
        *,
        match_key(name) as name_key
    from typed

)

select * from final
