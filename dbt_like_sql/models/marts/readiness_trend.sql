-- the national picture per as-of date and programme: the published status's shape, over time.

with

readiness_counts as (

    select * from marts.readiness_counts

),

national as (

    select
        as_of,
        programme,
        cast(sum(databases) as bigint) as databases,
        cast(sum(foundational) as bigint) as foundational,
        cast(sum(partial) as bigint) as partial,
        cast(sum(not_started) as bigint) as not_started,
        cast(sum(at_risk) as bigint) as at_risk
    from readiness_counts
    group by as_of, programme

),

final as (

    select * from national order by as_of, programme

)

select * from final
