-- the national picture per as-of date and programme: the published status's shape, over time.

with

readiness as (

    select * from r57.readiness

),

per_programme as (

    select
        as_of,
        programme,
        count(*) as databases,
        count(*) filter (where tier = 'foundational') as foundational,
        count(*) filter (where tier = 'partial') as partial,
        count(*) filter (where tier = 'not_started') as not_started,
        count(*) filter (where at_risk) as at_risk
    from readiness
    group by as_of, programme

),

final as (

    select * from per_programme order by as_of, programme

)

select * from final
