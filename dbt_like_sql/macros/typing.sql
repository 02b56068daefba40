-- contract types, the `typed` step of a staging model, where a plain try_cast would accept values the
-- contract does not: a value that does not parse becomes null (the raw table keeps it for the checks).

-- integers must be whole: '12' and '12.0' parse; '12.5' is null where try_cast would round it to 13, '1e3'
-- is null where try_cast would give 1000; '1,5' and a value out of the integer range are null.
create or replace macro parse_integer(x) as
    try_cast(case when regexp_full_match(x, '[+-]?[0-9]+(\.0+)?') then x end as integer);

-- amounts (money, areas, shares) must be finite: try_cast accepts 'nan' and 'inf', which no amount is.
create or replace macro parse_amount(x) as
    case when isfinite(try_cast(x as double)) then try_cast(x as double) end;
