-- values, the `normalised` step of a staging model: one spelling per value, so registers can be compared
-- with the population register. each takes an already cleaned value (see cleaning.sql).

-- sex as the contract spells it ('Nam' / 'Nữ'); anything else is unknown (null), not guessed.
create or replace macro sex_label(x) as
    case
        when lower(x) in ('nam', 'm', 'male') then 'Nam'
        when lower(x) in ('nữ', 'nu', 'f', 'female') then 'Nữ'
    end;

-- administrative codes (province: width 2, commune: width 5) whose leading zeros a spreadsheet dropped
-- ('7' -> '07', '4' -> '00004'): only all-digit codes shorter than the width are padded; anything else is
-- left as delivered for the checks to report.
create or replace macro pad_code(x, width) as
    case
        when regexp_full_match(x, '[0-9]+') and length(x) < width then lpad(x, width, '0')
        else x
    end;

-- phones in national form: an international vietnamese number (84 + 9 digits, as phone_digits leaves
-- '+84 ...') becomes 0 + 9 digits, the form the registers use; other numbers are left as they are.
create or replace macro national_phone(x) as
    case
        when regexp_full_match(x, '84[0-9]{9}') then '0' || substr(x, 3)
        else x
    end;
