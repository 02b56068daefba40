-- enterprises and dependent units of an enterprise register (enterprise_register), typed and normalised;
-- the legal representative's personal id is compared with the population register.

with

source as (

    select * from raw.enterprise

),

cleaned as (

    -- characters (macros/cleaning.sql)
    select
        clean_identifier(tax_code) as tax_code,
        clean_text(nfc_normalize(name)) as name,
        clean_identifier(province_code) as province_code,
        clean_identifier(commune_code) as commune_code,
        clean_text(nfc_normalize(address)) as address,
        clean_value(established_on) as established_on,
        clean_text(nfc_normalize(status)) as status,
        clean_identifier(legal_rep_personal_id) as legal_rep_personal_id,
        phone_digits(phone) as phone,
        clean_value(updated_at) as updated_at
    from source

),

normalised as (

    -- values (macros/normalising.sql); codes upper case
    select
        upper(tax_code) as tax_code,
        name,
        pad_code(province_code, 2) as province_code,
        pad_code(commune_code, 5) as commune_code,
        address,
        established_on,
        upper(status) as status,
        legal_rep_personal_id,
        national_phone(phone) as phone,
        updated_at
    from cleaned

),

typed as (

    -- contract types; a value that does not parse becomes null (the raw table keeps it for the checks)
    select
        tax_code,
        name,
        province_code,
        commune_code,
        address,
        try_cast(established_on as date) as established_on,
        status,
        legal_rep_personal_id,
        phone,
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
