-- citizens of the population register (citizen_register), typed and normalised; the master data
-- other databases' personal ids, names and birth dates are compared with.

with

source as (

    select * from raw.citizen

),

cleaned as (

    -- characters: text in unicode nfc with runs of whitespace (no-break spaces too) collapsed and trimmed,
    -- identifiers without whitespace, phones digits only; empty strings become null
    select
        nullif(regexp_replace(personal_id, '[\s\p{Z}]+', '', 'g'), '') as personal_id,
        nullif(trim(regexp_replace(nfc_normalize(full_name), '[\s\p{Z}]+', ' ', 'g')), '') as full_name,
        nullif(trim(birth_date), '') as birth_date,
        nullif(trim(regexp_replace(nfc_normalize(sex), '[\s\p{Z}]+', ' ', 'g')), '') as sex,
        nullif(regexp_replace(province_code, '[\s\p{Z}]+', '', 'g'), '') as province_code,
        nullif(regexp_replace(commune_code, '[\s\p{Z}]+', '', 'g'), '') as commune_code,
        nullif(trim(regexp_replace(nfc_normalize(address), '[\s\p{Z}]+', ' ', 'g')), '') as address,
        nullif(regexp_replace(phone, '[^0-9]', '', 'g'), '') as phone,
        nullif(trim(updated_at), '') as updated_at
    from source

),

normalised as (

    -- values: sex as 'Nam' / 'Nữ', codes zero-padded where a spreadsheet dropped the leading zeros,
    -- phones in national form (84xxxxxxxxx -> 0xxxxxxxxx)
    select
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
            when regexp_full_match(commune_code, '[0-9]{1,4}') then lpad(commune_code, 5, '0')
            else commune_code
        end as commune_code,
        address,
        case
            when regexp_full_match(phone, '84[0-9]{9}') then '0' || substr(phone, 3)
            else phone
        end as phone,
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

    -- match keys for master-data comparison: lower case, diacritics kept
    select
        *,
        lower(full_name) as full_name_key
    from typed

)

select * from final
