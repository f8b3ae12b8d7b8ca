-- Houses per month, for the province and for each commune of today's map: cases started in
-- the month (by start date) and what they have become since, cases completed in the month (by
-- completion date, status completed) by support type, and their cost by funding source. A
-- month appears when a case started or was completed in it. Cases whose old commune has no
-- unit on today's map (audit.crosswalk_gaps) count in the province's rows only. approval_status:
-- approved only when every unit-month behind the month's figures is (int_figure_approvals).
with

houses as (

    select * from {{ ref('fct_houses') }}

),

communes as (

    select * from {{ ref('dim_commune_2025') }}

),

approvals as (

    -- a row is approved when both its started and its completed figures are
    select
        unit_scope,
        period_key,
        case when count(case when approval_status = 'approved' then 1 end) = 2 then 'approved'
             else 'provisional' end as approval_status

    from {{ ref('int_figure_approvals') }}
    where figure_group in ('houses_started', 'houses_completed') and period_type = 'month'
    group by unit_scope, period_key

),

-- each case once in the month it started and once in the month it was completed
started as (

    select
        cast({{ dbt.date_trunc('month', 'start_date') }} as date) as period,
        commune_2025_code,
        1 as houses_started,
        case when status = 'completed' then 1 else 0 end as started_now_completed,
        case when status = 'in_progress' then 1 else 0 end as started_now_in_progress,
        case when status = 'not_started' then 1 else 0 end as started_now_not_started,
        total_vnd as started_vnd,
        0 as houses_completed,
        0 as completed_new_build,
        0 as completed_repair,
        0 as completed_central_vnd,
        0 as completed_local_vnd,
        0 as completed_social_vnd,
        0 as completed_vnd

    from houses
    where start_date is not null

),

completed as (

    select
        cast({{ dbt.date_trunc('month', 'completion_date') }} as date) as period,
        commune_2025_code,
        0 as houses_started,
        0 as started_now_completed,
        0 as started_now_in_progress,
        0 as started_now_not_started,
        0 as started_vnd,
        1 as houses_completed,
        case when support_type = 'new_build' then 1 else 0 end as completed_new_build,
        case when support_type = 'repair' then 1 else 0 end as completed_repair,
        central_budget_vnd as completed_central_vnd,
        local_budget_vnd as completed_local_vnd,
        social_contribution_vnd as completed_social_vnd,
        total_vnd as completed_vnd

    from houses
    where status = 'completed' and completion_date is not null

),

events as (

    select * from started
    union all
    select * from completed

),

by_commune as (

    select
        period,
        'commune' as unit_level,
        commune_2025_code as unit_code,
        {{ house_measures('events') }}

    from events
    where commune_2025_code is not null
    group by period, commune_2025_code

),

province as (

    select
        period,
        'province' as unit_level,
        '{{ var("province_code") }}' as unit_code,
        {{ house_measures('events') }}

    from events
    group by period

),

units as (

    select * from province
    union all
    select * from by_commune

),

final as (

    select
        units.period,
        cast(extract(year from units.period) as integer) as year,
        units.unit_level,
        units.unit_code,
        case
            when units.unit_level = 'province' then '{{ var("province_name") }}'
            else communes.commune_2025_name
        end as unit_name,
        units.houses_started,
        units.started_now_completed,
        units.started_now_in_progress,
        units.started_now_not_started,
        units.started_vnd,
        units.houses_completed,
        units.completed_new_build,
        units.completed_repair,
        units.completed_central_vnd,
        units.completed_local_vnd,
        units.completed_social_vnd,
        units.completed_vnd,
        -- sign-off: approved only when every unit-month behind the figures is
        coalesce(approvals.approval_status, 'provisional') as approval_status

    from units
    left join communes
        on units.unit_level = 'commune'
        and units.unit_code = communes.commune_2025_code
    left join approvals
        on approvals.unit_scope = case when units.unit_level = 'province' then 'province' else units.unit_code end
        and approvals.period_key = cast(units.period as varchar)

)

select * from final
order by period, unit_level desc, unit_code
