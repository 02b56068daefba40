-- registered vehicles of a vehicle register (vehicle_register), typed and normalised; the owner's personal
-- id and name are compared with the population register.

with

source as (

    select * from raw.vehicle

),

cleaned as (

    -- characters (macros/cleaning.sql); plates, unlike the other identifiers, in unicode nfc too
    select
        clean_identifier(nfc_normalize(plate)) as plate,
        clean_text(nfc_normalize(vehicle_type)) as vehicle_type,
        clean_identifier(owner_personal_id) as owner_personal_id,
        clean_text(nfc_normalize(owner_name)) as owner_name,
        clean_identifier(province_code) as province_code,
        clean_value(registered_on) as registered_on,
        clean_value(updated_at) as updated_at
    from source

),

normalised as (

    -- values (macros/normalising.sql); plates and codes upper case
    select
        upper(plate) as plate,
        upper(vehicle_type) as vehicle_type,
        owner_personal_id,
        owner_name,
        pad_code(province_code, 2) as province_code,
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

    -- match keys (macros/keys.sql)
    select
        *,
        plate_key(plate) as plate_key,
        match_key(owner_name) as owner_name_key
    from typed

)

select * from final
