-- land parcels of a land register (land_register), typed and normalised; the registered user's personal
-- id and name are compared with the population register.

with

source as (

    select * from raw.parcel

),

cleaned as (

    -- characters (macros/cleaning.sql)
    select
        clean_text(nfc_normalize(parcel_id)) as parcel_id,
        clean_identifier(province_code) as province_code,
        clean_identifier(commune_code) as commune_code,
        clean_value(map_sheet) as map_sheet,
        clean_value(parcel_no) as parcel_no,
        clean_value(area_m2) as area_m2,
        clean_text(nfc_normalize(land_use)) as land_use,
        clean_identifier(owner_personal_id) as owner_personal_id,
        clean_text(nfc_normalize(owner_name)) as owner_name,
        clean_value(updated_at) as updated_at
    from source

),

normalised as (

    -- values (macros/normalising.sql); codes upper case
    select
        parcel_id,
        pad_code(province_code, 2) as province_code,
        pad_code(commune_code, 5) as commune_code,
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

    -- contract types (macros/typing.sql): integers whole, amounts finite; a value that does not parse
    -- becomes null
    select
        parcel_id,
        province_code,
        commune_code,
        parse_integer(map_sheet) as map_sheet,
        parse_integer(parcel_no) as parcel_no,
        parse_amount(area_m2) as area_m2,
        land_use,
        owner_personal_id,
        owner_name,
        try_cast(updated_at as timestamptz) as updated_at
    from normalised

),

final as (

    -- match keys (macros/keys.sql)
    select
        *,
        match_key(owner_name) as owner_name_key
    from typed

)

select * from final
