-- persons enrolled in a sector register (person_register: insured persons, civil servants, learners,
-- patients, ...), typed and normalised for comparison with the population register.

with

source as (

    select * from raw.person

),

cleaned as (

    -- characters (macros/cleaning.sql)
    select
        clean_text(nfc_normalize(record_id)) as record_id,
        clean_identifier(personal_id) as personal_id,
        clean_text(nfc_normalize(full_name)) as full_name,
        clean_value(birth_date) as birth_date,
        clean_text(nfc_normalize(sex)) as sex,
        clean_identifier(province_code) as province_code,
        phone_digits(phone) as phone,
        clean_text(nfc_normalize(status)) as status,
        clean_value(registered_on) as registered_on,
        clean_value(updated_at) as updated_at
    from source

),

normalised as (

    -- values (macros/normalising.sql); codes upper case
    select
        record_id,
        personal_id,
        full_name,
        birth_date,
        sex_label(sex) as sex,
        pad_code(province_code, 2) as province_code,
        national_phone(phone) as phone,
        upper(status) as status,
        registered_on,
        updated_at
    from cleaned

),

typed as (

    -- contract types; a value that does not parse becomes null (the raw table keeps it for the checks)
    select
        record_id,
        personal_id,
        full_name,
        try_cast(birth_date as date) as birth_date,
        sex,
        province_code,
        phone,
        status,
        try_cast(registered_on as date) as registered_on,
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
