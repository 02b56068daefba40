-- registered vehicles of a vehicle register (vehicle_register), typed and normalised; the owner's personal
-- id and name are compared with the population register.

with

source as (

    select * from raw.vehicle

),

cleaned as (

    -- characters: text in unicode nfc with runs of whitespace (no-break spaces too) collapsed and trimmed,
    -- identifiers without whitespace; empty strings become null
    select
        nullif(regexp_replace(nfc_normalize(plate), '[\s\p{Z}]+', '', 'g'), '') as plate,
        nullif(trim(regexp_replace(nfc_normalize(vehicle_type), '[\s\p{Z}]+', ' ', 'g')), '') as vehicle_type,
        nullif(regexp_replace(owner_personal_id, '[\s\p{Z}]+', '', 'g'), '') as owner_personal_id,
        nullif(trim(regexp_replace(nfc_normalize(owner_name), '[\s\p{Z}]+', ' ', 'g')), '') as owner_name,
        nullif(regexp_replace(province_code, '[\s\p{Z}]+', '', 'g'), '') as province_code,
        nullif(trim(registered_on), '') as registered_on,
        nullif(trim(updated_at), '') as updated_at
    from source

),

normalised as (

    -- values: plates and codes upper case, province codes zero-padded where a spreadsheet dropped the zero
    select
        upper(plate) as plate,
        upper(vehicle_type) as vehicle_type,
        owner_personal_id,
        owner_name,
        case
            when regexp_full_match(province_code, '[0-9]') then lpad(province_code, 2, '0')
            else province_code
        end as province_code,
        registered_on,
        updated_at
    from cleaned

),

typed as (

    -- contract types; a value that does not parse becomes null (the raw table keeps it for the checks)
    select
        plate,
        vehicle_type,
        owner_personal_id,
        owner_name,
        province_code,
        try_cast(registered_on as date) as registered_on,
        try_cast(updated_at as timestamptz) as updated_at
    from normalised

),

final as (

    -- match keys: the plate without separators ('30A-123.45' -> '30A12345'), names lower case with
    -- diacritics kept
    select
        *,
        nullif(regexp_replace(plate, '[^0-9A-ZĐ]', '', 'g'), '') as plate_key,
        lower(owner_name) as owner_name_key
    from typed

)

select * from final
