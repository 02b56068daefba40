-- enterprises and dependent units of an enterprise register (enterprise_register), typed and normalised;
-- the legal representative's personal id is compared with the population register.

with

source as (

    select * from raw.enterprise

),

cleaned as (

    -- characters: text in unicode nfc with runs of whitespace (no-break spaces too) collapsed and trimmed,
    -- identifiers without whitespace, phones digits only; empty strings become null
    select
        nullif(regexp_replace(tax_code, '[\s\p{Z}]+', '', 'g'), '') as tax_code,
        nullif(trim(regexp_replace(nfc_normalize(name), '[\s\p{Z}]+', ' ', 'g')), '') as name,
        nullif(regexp_replace(province_code, '[\s\p{Z}]+', '', 'g'), '') as province_code,
        nullif(regexp_replace(commune_code, '[\s\p{Z}]+', '', 'g'), '') as commune_code,
        nullif(trim(regexp_replace(nfc_normalize(address), '[\s\p{Z}]+', ' ', 'g')), '') as address,
        nullif(trim(established_on), '') as established_on,
        nullif(trim(regexp_replace(nfc_normalize(status), '[\s\p{Z}]+', ' ', 'g')), '') as status,
        nullif(regexp_replace(legal_rep_personal_id, '[\s\p{Z}]+', '', 'g'), '') as legal_rep_personal_id,
        nullif(regexp_replace(phone, '[^0-9]', '', 'g'), '') as phone,
        nullif(trim(updated_at), '') as updated_at
    from source

),

normalised as (

    -- values: codes upper case and zero-padded where a spreadsheet dropped the leading zeros,
    -- phones in national form (84xxxxxxxxx -> 0xxxxxxxxx)
    select
        upper(tax_code) as tax_code,
        name,
        case
            when regexp_full_match(province_code, '[0-9]') then lpad(province_code, 2, '0')
            else province_code
        end as province_code,
        case
            when regexp_full_match(commune_code, '[0-9]{1,4}') then lpad(commune_code, 5, '0')
            else commune_code
        end as commune_code,
        address,
        established_on,
        upper(status) as status,
        legal_rep_personal_id,
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
        tax_code,
        name,
        province_code,
        commune_code,
        address,
        try_cast(established_on as date) as established_on,
        status,
        legal_rep_personal_id,
        phone,
        try_cast(updated_at as timestamptz) as updated_at
    from normalised

),

final as (

    -- match keys: lower case, diacritics kept
    select
        *,
        lower(name) as name_key
    from typed

)

select * from final
