-- per ministry and as-of date: its databases by tier and at risk, to follow each owner over time.

with

readiness as (

    select * from r57.readiness

),

per_ministry as (

    select
        as_of,
        ministry,
        count(*) as databases,
        count(*) filter (where tier = 'foundational') as foundational,
        count(*) filter (where tier = 'partial') as partial,
        count(*) filter (where tier = 'not_started') as not_started,
        count(*) filter (where at_risk) as at_risk
    from readiness
    group by as_of, ministry

),

final as (

    select * from per_ministry order by as_of, ministry

)

select * from final
