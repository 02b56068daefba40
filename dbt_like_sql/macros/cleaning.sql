-- characters, the `cleaned` step of a staging model: what a delivered value looks like once the accidents
-- of typing, spreadsheets and exports are gone. each maps what is left empty to null, so a blank cell and
-- a missing one mean the same downstream.

-- text (names, addresses, record ids that may hold words): runs of whitespace, no-break and other unicode
-- spaces included, become one space, then trimmed, so values typed or exported differently compare equal.
-- unicode normalisation is not in here but written at the call, clean_text(nfc_normalize(x)): it applies
-- to text and to plates but not to personal ids and tax codes, and so one identifier macro serves both.
create or replace macro clean_text(x) as
    nullif(trim(regexp_replace(x, '[\s\p{Z}]+', ' ', 'g')), '');

-- identifiers (personal ids, tax codes, codes, plates): no whitespace at all, since '001 234 567 890' and
-- '001234567890' are the same id and spaces inside an id are never meaningful.
create or replace macro clean_identifier(x) as
    nullif(regexp_replace(x, '[\s\p{Z}]+', '', 'g'), '');

-- values that a later step casts (dates, timestamps, numbers): only trimmed of spaces, so that everything
-- else stays and a malformed value still fails its cast instead of being repaired into another value.
create or replace macro clean_value(x) as
    nullif(trim(x), '');

-- phones: digits only ('+84 912-345.678' -> '84912345678'); separators vary by who typed the number.
create or replace macro phone_digits(x) as
    nullif(regexp_replace(x, '[^0-9]', '', 'g'), '');
