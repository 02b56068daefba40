-- per as-of date, ministry and programme: databases by tier and at risk. the one place tiers are
-- counted; readiness_trend sums it to the national picture.

with

readiness as (

    select * from r57.readiness

),

counted as (

    select
        as_of,
        ministry,
        programme,
        count(*) as databases,
        count(*) filter (where tier = 'foundational') as foundational,
        count(*) filter (where tier = 'partial') as partial,
        count(*) filter (where tier = 'not_started') as not_started,
        count(*) filter (where at_risk) as at_risk
    from readiness
    group by as_of, ministry, programme

),

final as (

    select * from counted order by as_of, ministry, programme

)

select * from final
