-- Every headline figure at every publish (warehouse contract: append-only, kept across full rebuilds): the
-- rows earlier publishes recorded (raw.published_figures, outside dbt's schemas), and the rows this build
-- adds: each figure new since the last publish, or whose value or approval status changed (a figure no
-- longer published: a row with value null). A figure's value at a publish is its latest row at or before
-- it (`python -m pipeline figures --as-of`); publishes that changed nothing add no row. The publish step
-- records this build's rows in raw.published_figures before it publishes.
with

history as (

    select * from {{ ref('stg_published_figures') }}

),

current_figures as (

    select * from {{ ref('int_headline_figures') }}

),

latest as (

    select distinct on (figure_key) *
    from history
    order by figure_key, published_at desc

),

changed as (

    select
        current_figures.figure_key,
        current_figures.figure,
        current_figures.programme,
        current_figures.period_type,
        current_figures.period,
        current_figures.review_year,
        current_figures.unit_scope,
        current_figures.value,
        current_figures.approval_status

    from current_figures
    left join latest
        on current_figures.figure_key = latest.figure_key
    where latest.figure_key is null
        or latest.value is distinct from current_figures.value
        or latest.approval_status <> current_figures.approval_status

    union all

    select
        latest.figure_key,
        latest.figure,
        latest.programme,
        latest.period_type,
        latest.period,
        latest.review_year,
        latest.unit_scope,
        cast(null as decimal(20, 2)),
        'provisional'

    from latest
    left join current_figures
        on latest.figure_key = current_figures.figure_key
    where current_figures.figure_key is null
        and latest.value is not null

),

this_publish as (

    select
        {{ published_at() }} as published_at,
        changed.*

    from changed

),

final as (

    select
        published_at, figure_key, figure, programme, period_type, period, review_year, unit_scope, value,
        approval_status
    from history

    union all

    select
        published_at, figure_key, figure, programme, period_type, period, review_year, unit_scope, value,
        approval_status
    from this_publish

)

select * from final
order by published_at, figure_key
