-- Which reporting unit has reported which month: one row per unit in force x reporting month
-- over the reporting window (vars reporting_window_start / reporting_window_end / due_day in
-- dbt_project.yml): the 12 districts for months up to 2025-06, the 75 communes from 2025-07
-- (dim_reporting_unit). The window ends, unless the var says otherwise, at the latest month
-- any unit has reported. approval_status: the province's sign-off of the unit-month (approved,
-- pending: approved with files waiting for it, provisional). No personal data.
with

units as (

    select * from {{ ref('dim_reporting_unit') }}

),

submissions as (

    -- the columns this model reads, named (DuckDB's `* replace` has no PostgreSQL equivalent)
    select
        submission_id,
        status,
        district_code,
        coalesce(unit_type, 'district') as unit_type,
        coalesce(unit_code, district_code) as unit_code,
        period,
        version,
        received_at,
        file_mtime,
        prepared_on
    from {{ ref('stg_submissions') }}
    where coalesce(unit_code, district_code) is not null and period is not null

),

window_bounds as (

    select
        date_trunc('month', cast('{{ var("reporting_window_start") }}' as date)) as window_start,
        {%- if var("reporting_window_end", none) %}
        date_trunc('month', cast('{{ var("reporting_window_end") }}' as date)) as window_end
        {%- else %}
        -- latest month any district reported (files that carried a readable month)
        coalesce(
            (select max(period) from submissions where status <> 'rejected'),
            date_trunc('month', cast('{{ var("reporting_window_start") }}' as date))
        ) as window_end
        {%- endif %}

),

months as (

    select cast(month_start as date) as period
    from window_bounds,
        -- generate_series in FROM and interval '1 month': the same on DuckDB and PostgreSQL
        generate_series(cast(window_start as timestamp), cast(window_end as timestamp),
                        interval '1 month') as t(month_start)

),

-- a unit is due for a month when it is in force on the month's last day
grid as (

    select
        units.unit_type,
        units.unit_code,
        case when units.unit_type = 'district' then units.unit_code end as district_code,
        months.period,
        cast(months.period + interval '1 month' + interval '{{ var("due_day") - 1 }} days' as date) as due_date

    from units
    inner join months
        on units.valid_from <= {{ dbt.last_day('months.period', 'month') }}
        and (units.valid_to is null or {{ dbt.last_day('months.period', 'month') }} <= units.valid_to)

),

-- the submission that counts for the month: the current accepted one, else the latest of
-- the others by the format's "latest" rule (var submission_recency_order: highest version,
-- then last received, ...). Ingest leaves at most one accepted submission per district and
-- month (the others are superseded), so the rule only picks among rejected and duplicate
-- files when none was accepted; it used to be "last received" first, which differs only when
-- a rejected file with a higher version arrived before a rejected one with a lower version.
ranked as (

    select
        submissions.*,
        row_number() over (
            partition by unit_type, unit_code, period
            order by
                case when status in ('accepted', 'accepted_with_errors') then 0 else 1 end,
                {{ submission_recency_order(rows=false) }}
        ) as pick

    from submissions

),

latest as (

    select * from ranked where pick = 1

),

-- when the district first sent usable data for the month (a later correction does not make it late)
approvals as (

    select * from {{ ref('int_unit_month_approvals') }}

),

first_sent as (

    select
        unit_type,
        unit_code,
        period,
        min(coalesce(prepared_on, cast(received_at as date))) as submitted_on

    from submissions
    where status in ('accepted', 'accepted_with_errors', 'superseded')
    group by unit_type, unit_code, period

),

final as (

    select
        grid.district_code,
        grid.period,
        grid.due_date <= {{ as_of_date() }} or latest.submission_id is not null as expected,
        latest.submission_id,
        latest.status as latest_status,
        latest.received_at,
        first_sent.submitted_on,
        grid.due_date,
        first_sent.submitted_on <= grid.due_date as on_time,
        case
            when first_sent.submitted_on is not null and first_sent.submitted_on <= grid.due_date then 'on_time'
            when first_sent.submitted_on is not null then 'late'
            when latest.status = 'rejected' then 'rejected_only'
            when grid.due_date > {{ as_of_date() }} then 'not_due'
            else 'missing'
        end as state,
        grid.unit_type,
        grid.unit_code,
        coalesce(approvals.approval_status, 'provisional') as approval_status

    from grid
    left join latest
        on grid.unit_type = latest.unit_type
        and grid.unit_code = latest.unit_code
        and grid.period = latest.period
    left join first_sent
        on grid.unit_type = first_sent.unit_type
        and grid.unit_code = first_sent.unit_code
        and grid.period = first_sent.period
    left join approvals
        on grid.unit_type = approvals.unit_type
        and grid.unit_code = approvals.unit_code
        and grid.period = approvals.period

)

select * from final
order by unit_type desc, unit_code, period
