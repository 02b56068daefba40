-- per ministry, for the latest as-of: how many of its databases delivered, were rejected or were absent,
-- and how many rows and bytes were delivered.

with

latest_deliveries as (

    select * from marts.latest_deliveries

),

per_ministry as (

    select
        ministry,
        as_of,
        count(*) as databases_total,
        count(*) filter (where delivered) as databases_delivered,
        count(*) filter (where status = 'loaded') as databases_loaded,
        count(*) filter (where status = 'unchanged') as databases_unchanged,
        count(*) filter (where status = 'rejected') as databases_rejected,
        count(*) filter (where status = 'absent') as databases_absent,
        cast(coalesce(sum(total_rows) filter (where delivered), 0) as bigint) as rows_delivered,
        cast(coalesce(sum(total_bytes) filter (where delivered), 0) as bigint) as bytes_delivered,
        cast(coalesce(sum(total_bytes) filter (where status = 'rejected'), 0) as bigint) as bytes_rejected
    from latest_deliveries
    group by ministry, as_of

),

final as (

    select * from per_ministry

)

select * from final
