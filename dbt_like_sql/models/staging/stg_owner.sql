-- owners (members, shareholders) of enterprises in an enterprise register (enterprise_register), typed
-- and normalised for comparison with the population register.

with

source as (

    select * from raw.owner

),

cleaned as (

    -- characters (macros/cleaning.sql)
    select
        clean_identifier(tax_code) as tax_code,
        clean_identifier(personal_id) as personal_id,
        clean_text(nfc_normalize(full_name)) as full_name,
        clean_value(share_pct) as share_pct,
        clean_value(updated_at) as updated_at
    from source

),

normalised as (

    -- values: codes upper case
    select
        upper(tax_code) as tax_code,
        personal_id,
        full_name,
        share_pct,
        updated_at
    from cleaned

),

typed as (

    -- contract types (macros/typing.sql); a value that does not parse becomes null
    select
        tax_code,
        personal_id,
        full_name,
        parse_amount(share_pct) as share_pct,
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
