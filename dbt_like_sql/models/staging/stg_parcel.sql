-- land parcels of a land register (land_register), typed and normalised; the registered user's personal
-- id and name are compared with the population register.

with

source as (

    select * from raw.parcel

),

cleaned as (

    -- characters: text in unicode nfc with runs of whitespace (no-break spaces too) collapsed and trimmed,
    -- identifiers without whitespace; empty strings become null
    select
        nullif(trim(regexp_replace(nfc_normalize(parcel_id), '[\s\p{Z}]+', ' ', 'g')), '') as parcel_id,
        nullif(regexp_replace(province_code, '[\s\p{Z}]+', '', 'g'), '') as province_code,
        nullif(regexp_replace(commune_code, '[\s\p{Z}]+', '', 'g'), '') as commune_code,
        nullif(trim(map_sheet), '') as map_sheet,
        nullif(trim(parcel_no), '') as parcel_no,
        nullif(trim(area_m2), '') as area_m2,
        nullif(trim(regexp_replace(nfc_normalize(land_use), '[\s\p{Z}]+', ' ', 'g')), '') as land_use,
        nullif(regexp_replace(owner_personal_id, '[\s\p{Z}]+', '', 'g'), '') as owner_personal_id,
        nullif(trim(regexp_replace(nfc_normalize(owner_name), '[\s\p{Z}]+', ' ', 'g')), '') as owner_name,
        nullif(trim(updated_at), '') as updated_at
    from source

),

normalised as (

    -- values: codes upper case and zero-padded where a spreadsheet dropped the leading zeros
    select
        parcel_id,
        case
            when regexp_full_match(province_code, '[0-9]') then lpad(province_code, 2, '0')
            else province_code
        end as province_code,
        case
            when regexp_full_match(commune_code, '[0-9]{1,4}') then lpad(commune_code, 5, '0')
            else commune_code
        end as commune_code,
        map_sheet,
        parcel_no,
        area_m2,
        upper(land_use) as land_use,
        owner_personal_id,
        owner_name,
        updated_at
    from cleaned

),

typed as (

    -- contract types; a value that does not parse becomes null: integers must be whole ('12' or '12.0',
    -- never rounded from '12.5'), amounts finite
    select
        parcel_id,
        province_code,
        commune_code,
        try_cast(case when regexp_full_match(map_sheet, '[+-]?[0-9]+(\.0+)?') then map_sheet end as integer)
            as map_sheet,
        try_cast(case when regexp_full_match(parcel_no, '[+-]?[0-9]+(\.0+)?') then parcel_no end as integer)
            as parcel_no,
        case when isfinite(try_cast(area_m2 as double)) then try_cast(area_m2 as double) end as area_m2,
        land_use,
        owner_personal_id,
        owner_name,
        try_cast(updated_at as timestamptz) as updated_at
    from normalised

),

final as (

    -- match keys for master-data comparison: lower case, diacritics kept
    select
        *,
        lower(owner_name) as owner_name_key
    from typed

)

select * from final
