-- dossiers (applications, cases, decisions) of an administrative-procedure register (dossier_register),
-- typed and normalised; the applicant's personal id is compared with the population register.

with

source as (

    select * from raw.dossier

),

cleaned as (

    -- characters: text in unicode nfc with runs of whitespace (no-break spaces too) collapsed and trimmed,
    -- identifiers without whitespace; empty strings become null
    select
        nullif(trim(regexp_replace(nfc_normalize(dossier_id), '[\s\p{Z}]+', ' ', 'g')), '') as dossier_id,
        nullif(trim(regexp_replace(nfc_normalize(procedure_code), '[\s\p{Z}]+', ' ', 'g')), '') as procedure_code,
        nullif(regexp_replace(applicant_personal_id, '[\s\p{Z}]+', '', 'g'), '') as applicant_personal_id,
        nullif(regexp_replace(province_code, '[\s\p{Z}]+', '', 'g'), '') as province_code,
        nullif(trim(submitted_on), '') as submitted_on,
        nullif(trim(regexp_replace(nfc_normalize(status), '[\s\p{Z}]+', ' ', 'g')), '') as status,
        nullif(trim(fee_amount), '') as fee_amount,
        nullif(trim(updated_at), '') as updated_at
    from source

),

normalised as (

    -- values: codes upper case, province codes zero-padded where a spreadsheet dropped the zero
    select
        dossier_id,
        upper(procedure_code) as procedure_code,
        applicant_personal_id,
        case
            when regexp_full_match(province_code, '[0-9]') then lpad(province_code, 2, '0')
            else province_code
        end as province_code,
        submitted_on,
        upper(status) as status,
        fee_amount,
        updated_at
    from cleaned

),

typed as (

    -- contract types; a value that does not parse (or nan / inf) becomes null
    select
        dossier_id,
        procedure_code,
        applicant_personal_id,
        province_code,
        try_cast(submitted_on as date) as submitted_on,
        status,
        case when isfinite(try_cast(fee_amount as double)) then try_cast(fee_amount as double) end as fee_amount,
        try_cast(updated_at as timestamptz) as updated_at
    from normalised

),

final as (

    select * from typed

)

select * from final
