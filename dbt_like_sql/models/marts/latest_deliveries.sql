-- the latest as-of's delivery outcome for every database recorded in r57.deliveries: what became of its
-- delivery (loaded, unchanged, rejected, absent), how big it was and why it was rejected.

with

deliveries as (

    select * from r57.deliveries

),

latest_as_of as (

    select max(as_of) as as_of from deliveries

),

latest as (

    -- a rerun for the same as-of replaces that as-of's rows; should two runs' rows remain, the last recorded wins
    select deliveries.*
    from deliveries
    inner join latest_as_of on deliveries.as_of = latest_as_of.as_of
    qualify row_number() over (
        partition by deliveries.database_id
        order by deliveries.recorded_at desc, deliveries.run_id desc
    ) = 1

),

final as (

    select
        as_of,
        run_id,
        database_id,
        ministry,
        status,
        status in ('loaded', 'unchanged') as delivered,
        error,
        folder,
        extracted_at,
        delivery_sha256,
        total_rows,
        total_bytes,
        load_seconds,
        recorded_at
    from latest

)

select * from final
