-- owners (members, shareholders) of enterprises in an enterprise register (enterprise_register), typed
-- and normalised for comparison with the population register.

with

source as (

    select * from raw.owner

),

cleaned as (

    -- characters: text in unicode nfc with runs of whitespace (no-break spaces too) collapsed and trimmed,
    -- identifiers without whitespace; empty strings become null
    select
        nullif(regexp_replace(tax_code, '[\s\p{Z}]+', '', 'g'), '') as tax_code,
        nullif(regexp_replace(personal_id, '[\s\p{Z}]+', '', 'g'), '') as personal_id,
        nullif(trim(regexp_replace(nfc_normalize(full_name), '[\s\p{Z}]+', ' ', 'g')), '') as full_name,
        nullif(trim(share_pct), '') as share_pct,
        nullif(trim(updated_at), '') as updated_at
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

    -- contract types; a value that does not parse (or nan / inf) becomes null
    select
        tax_code,
        personal_id,
        full_name,
        case when isfinite(try_cast(share_pct as double)) then try_cast(share_pct as double) end as share_pct,
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
