-- Which submissions the marts count at each publish, as changes: what earlier publishes recorded
-- (raw.published_counting) and what this build changes against their latest state (counted true: counts
-- from this publish on; false: no longer counts). The publish step records this build's rows; fct_revisions
-- reads them to name the submissions behind a revised figure.
with

history as (

    select * from {{ ref('stg_published_counting') }}

),

counting as (

    select * from {{ ref('int_counting_submissions') }}

),

latest as (

    select distinct on (sheet_kind, scope, submission_id) *
    from history
    order by sheet_kind, scope, submission_id, published_at desc

),

counted_before as (

    select * from latest where counted

),

changed as (

    select counting.sheet_kind, counting.scope, counting.submission_id, true as counted
    from counting
    left join counted_before
        on counting.sheet_kind = counted_before.sheet_kind
        and counting.scope = counted_before.scope
        and counting.submission_id = counted_before.submission_id
    where counted_before.submission_id is null

    union all

    select counted_before.sheet_kind, counted_before.scope, counted_before.submission_id, false
    from counted_before
    left join counting
        on counted_before.sheet_kind = counting.sheet_kind
        and counted_before.scope = counting.scope
        and counted_before.submission_id = counting.submission_id
    where counting.submission_id is null

),

final as (

    select published_at, sheet_kind, scope, submission_id, counted, false as is_this_publish
    from history

    union all

    select {{ published_at() }}, sheet_kind, scope, submission_id, counted, true
    from changed

)

select * from final
