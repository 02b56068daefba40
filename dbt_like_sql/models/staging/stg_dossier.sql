-- dossiers (applications, cases, decisions) of an administrative-procedure register (dossier_register),
-- typed and normalised; the applicant's personal id is compared with the population register.

with

source as (

    select * from raw.dossier

),

cleaned as (

    -- characters (macros/cleaning.sql)
    select
        clean_text(nfc_normalize(dossier_id)) as dossier_id,
        clean_text(nfc_normalize(procedure_code)) as procedure_code,
        clean_identifier(applicant_personal_id) as applicant_personal_id,
        clean_identifier(province_code) as province_code,
        clean_value(submitted_on) as submitted_on,
        clean_text(nfc_normalize(status)) as status,
        clean_value(fee_amount) as fee_amount,
        clean_value(updated_at) as updated_at
    from source

),

normalised as (

    -- values (macros/normalising.sql); codes upper case
    select
        dossier_id,
        upper(procedure_code) as procedure_code,
        applicant_personal_id,
        pad_code(province_code, 2) as province_code,
        submitted_on,
        upper(status) as status,
        fee_amount,
        updated_at
    from cleaned

),

typed as (

    -- contract types (macros/typing.sql); a value that does not parse becomes null
    select
        dossier_id,
        procedure_code,
        applicant_personal_id,
        province_code,
        try_cast(submitted_on as date) as submitted_on,
        status,
        parse_amount(fee_amount) as fee_amount,
        try_cast(updated_at as timestamptz) as updated_at
    from normalised

),

final as (

    select * from typed

)

select * from final
