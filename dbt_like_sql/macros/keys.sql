-- match keys, the `final` step of a staging model: the form in which values are compared across registers
-- (a person's name here with the same name in the population register).

-- names and other text: lower case with diacritics kept ('Nguyễn' and 'Nguyen' are different names).
create or replace macro match_key(x) as
    lower(x);

-- plates without separators ('30A-123.45' -> '30A12345'), since registers write them with and without;
-- takes an upper-cased plate.
create or replace macro plate_key(x) as
    nullif(regexp_replace(x, '[^0-9A-ZĐ]', '', 'g'), '');
