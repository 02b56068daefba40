-- per database and as-of date: tier, risk and the four dimension scores, for its trend.

with

readiness as (

    select * from r57.readiness

),

scored as (

    select
        as_of,
        database_id,
        ministry,
        programme,
        tier,
        at_risk,
        try_cast(scores ->> '$.correct' as double) as correct,
        try_cast(scores ->> '$.sufficient' as double) as sufficient,
        try_cast(scores ->> '$.clean' as double) as clean,
        try_cast(scores ->> '$.live' as double) as live
    from readiness

),

final as (

    select * from scored order by database_id, as_of

)

select * from final
