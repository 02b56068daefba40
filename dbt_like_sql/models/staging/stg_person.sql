-- persons enrolled in a sector register (person_register: insured persons, civil servants, learners,
-- patients, ...), typed and normalised for comparison with the population register.

with

source as (

    select * from raw.person

),

cleaned as (

    -- characters: text in unicode nfc with runs of whitespace (no-break spaces too) collapsed and trimmed,
    -- identifiers without whitespace, phones digits only; empty strings become null
    select
        nullif(trim(regexp_replace(nfc_normalize(record_id), '[\s\p{Z}]+', ' ', 'g')), '') as record_id,
        nullif(regexp_replace(personal_id, '[\s\p{Z}]+', '', 'g'), '') as personal_id,
        nullif(trim(regexp_replace(nfc_normalize(full_name), '[\s\p{Z}]+', ' ', 'g')), '') as full_name,
        nullif(trim(birth_date), '') as birth_date,
        nullif(trim(regexp_replace(nfc_normalize(sex), '[\s\p{Z}]+', ' ', 'g')), '') as sex,
        nullif(regexp_replace(province_code, '[\s\p{Z}]+', '', 'g'), '') as province_code,
        nullif(regexp_replace(phone, '[^0-9]', '', 'g'), '') as phone,
        nullif(trim(regexp_replace(nfc_normalize(status), '[\s\p{Z}]+', ' ', 'g')), '') as status,
        nullif(trim(registered_on), '') as registered_on,
        nullif(trim(updated_at), '') as updated_at
    from source

),

normalised as (

    -- values: sex as 'Nam' / 'Nữ', codes upper case and zero-padded where a spreadsheet dropped the
    -- leading zeros, phones in national form (84xxxxxxxxx -> 0xxxxxxxxx)
    select
        record_id,
        personal_id,
        full_name,
        birth_date,
        case
            when lower(sex) in ('nam', 'm', 'male') then 'Nam'
            when lower(sex) in ('nữ', 'nu', 'f', 'female') then 'Nữ'
        end as sex,
        case
            when regexp_full_match(province_code, '[0-9]') then lpad(province_code, 2, '0')
            else province_code
        end as province_code,
        case
            when regexp_full_match(phone, '84[0-9]{9}') then '0' || substr(phone, 3)
            else phone
        end as phone,
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

    -- match keys for master-data comparison: lower case, diacritics kept
    select
        *,
        lower(full_name) as full_name_key
    from typed

)

select * from final
