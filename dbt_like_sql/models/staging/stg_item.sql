-- public finance records (assets, budget items, prices, debts) of an asset register (asset_register),
-- typed and normalised; held against an organisation's tax code.

with

source as (

    select * from raw.item

),

cleaned as (

    -- characters (macros/cleaning.sql)
    select
        clean_text(nfc_normalize(item_id)) as item_id,
        clean_identifier(owner_tax_code) as owner_tax_code,
        clean_text(nfc_normalize(category)) as category,
        clean_value(value_amount) as value_amount,
        clean_identifier(province_code) as province_code,
        clean_value(recorded_on) as recorded_on,
        clean_value(updated_at) as updated_at
    from source

),

normalised as (

    -- values (macros/normalising.sql); codes upper case
    select
        item_id,
        upper(owner_tax_code) as owner_tax_code,
        upper(category) as category,
        value_amount,
        pad_code(province_code, 2) as province_code,
        recorded_on,
        updated_at
    from cleaned

),

typed as (

    -- contract types (macros/typing.sql); a value that does not parse becomes null
    select
        item_id,
        owner_tax_code,
        category,
        parse_amount(value_amount) as value_amount,
        province_code,
        try_cast(recorded_on as date) as recorded_on,
        try_cast(updated_at as timestamptz) as updated_at
    from normalised

),

final as (

    select * from typed

)

select * from final
