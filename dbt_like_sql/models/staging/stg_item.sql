-- public finance records (assets, budget items, prices, debts) of an asset register (asset_register),
-- typed and normalised; held against an organisation's tax code.

with

source as (

    select * from raw.item

),

cleaned as (

    -- characters: text in unicode nfc with runs of whitespace (no-break spaces too) collapsed and trimmed,
    -- identifiers without whitespace; empty strings become null
    select
        nullif(trim(regexp_replace(nfc_normalize(item_id), '[\s\p{Z}]+', ' ', 'g')), '') as item_id,
        nullif(regexp_replace(owner_tax_code, '[\s\p{Z}]+', '', 'g'), '') as owner_tax_code,
        nullif(trim(regexp_replace(nfc_normalize(category), '[\s\p{Z}]+', ' ', 'g')), '') as category,
        nullif(trim(value_amount), '') as value_amount,
        nullif(regexp_replace(province_code, '[\s\p{Z}]+', '', 'g'), '') as province_code,
        nullif(trim(recorded_on), '') as recorded_on,
        nullif(trim(updated_at), '') as updated_at
    from source

),

normalised as (

    -- values: codes upper case, province codes zero-padded where a spreadsheet dropped the zero
    select
        item_id,
        upper(owner_tax_code) as owner_tax_code,
        upper(category) as category,
        value_amount,
        case
            when regexp_full_match(province_code, '[0-9]') then lpad(province_code, 2, '0')
            else province_code
        end as province_code,
        recorded_on,
        updated_at
    from cleaned

),

typed as (

    -- contract types; a value that does not parse (or nan / inf) becomes null
    select
        item_id,
        owner_tax_code,
        category,
        case when isfinite(try_cast(value_amount as double)) then try_cast(value_amount as double) end
            as value_amount,
        province_code,
        try_cast(recorded_on as date) as recorded_on,
        try_cast(updated_at as timestamptz) as updated_at
    from normalised

),

final as (

    select * from typed

)

select * from final
