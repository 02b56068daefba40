-- citizens of the population register (citizen_register), typed and normalised; the master data
-- other databases' personal ids, names and birth dates are compared with.

with

source as (

    select * from raw.citizen

),

cleaned as (

    -- characters (macros/cleaning.sql)
    select
        clean_identifier(personal_id) as personal_id,
        clean_text(nfc_normalize(full_name)) as full_name,
        clean_value(birth_date) as birth_date,
        clean_text(nfc_normalize(sex)) as sex,
        clean_identifier(province_code) as province_code,
        clean_identifier(commune_code) as commune_code,
        clean_text(nfc_normalize(address)) as address,
        phone_digits(phone) as phone,
        clean_value(updated_at) as updated_at
    from source

),

normalised as (

    -- values (macros/normalising.sql)
    select
        personal_id,
        full_name,
        birth_date,
        sex_label(sex) as sex,
        pad_code(province_code, 2) as province_code,
        pad_code(commune_code, 5) as commune_code,
        address,
        national_phone(phone) as phone,
        updated_at
    from cleaned

),

typed as (

    -- contract types; a value that does not parse becomes null (the raw table keeps it for the checks)
    select
        personal_id,
        full_name,
        try_cast(birth_date as date) as birth_date,
        sex,
        province_code,
        commune_code,
        address,
        phone,
        try_cast(updated_at as timestamptz) as updated_at
    from normalised

),

final as (

    -- match keys (macros/keys.sql)
    select
        *,
        match_key(full_name) as full_name_key
    from typed

)

select * from final
