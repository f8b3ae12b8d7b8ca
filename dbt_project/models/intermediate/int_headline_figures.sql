{{ config(materialized="table") }}

-- The headline figures as this build would publish them (warehouse contract, "How sign-off works"), one row
-- per figure: houses_started, houses_completed, houses_completed_vnd, and grants_beneficiaries and grants_vnd
-- per programme, each per month and per calendar year; total_households, poor_households,
-- near_poor_households and poverty_rate_pct per review year; for the province and for every unit of today's
-- map. Values from the reporting layer (the report and BI read the same rows); approval_status from
-- int_figure_approvals. figure_key names a figure across publishes.
-- Few branches on purpose: each source row is crossed with the names of the figures it carries. As one
-- UNION ALL branch per figure and table (18), DuckDB built the join's hash table from 18 pipelines, each
-- holding its own pinned blocks: the build needed ~130 MB for 30,000 rows and failed under a 160 MB limit.
with

houses_month as (

    select * from {{ ref('rpt_houses_month') }}

),

houses_year as (

    select * from {{ ref('rpt_houses_year') }}

),

grants_month as (

    select * from {{ ref('rpt_grants_month') }}

),

poverty_province as (

    select * from {{ ref('rpt_poverty_province') }}

),

poverty_commune as (

    select * from {{ ref('rpt_poverty_commune') }}

),

approvals as (

    select * from {{ ref('int_figure_approvals') }}

),

houses as (

    select 'month' as period_type, period, unit_level, unit_code, houses_started, houses_completed, completed_vnd
    from houses_month

    union all

    select 'year', make_date(year, 1, 1), unit_level, unit_code, houses_started, houses_completed, completed_vnd
    from houses_year

),

grants as (

    select 'month' as period_type, period, unit_level, unit_code, programme, beneficiaries, amount_vnd
    from grants_month

    union all

    select 'year', make_date(year, 1, 1), unit_level, unit_code, programme,
           cast(sum(beneficiaries) as bigint), cast(sum(amount_vnd) as bigint)
    from grants_month
    group by year, unit_level, unit_code, programme

),

poverty as (

    select review_year, 'province' as unit_level, cast(null as varchar) as unit_code,
           total_households, poor_households, near_poor_households, poverty_rate_pct
    from poverty_province

    union all

    select review_year, 'commune', commune_2025_code,
           total_households, poor_households, near_poor_households, poverty_rate_pct
    from poverty_commune

),

-- one row per figure: each source row crossed with the names of the figures it carries
figures as (

    select figure_names.figure_group, figure_names.figure, cast(null as varchar) as programme,
           houses.period_type, houses.period, cast(null as integer) as review_year, houses.unit_level, houses.unit_code,
           cast(case figure_names.figure
                    when 'houses_started' then houses.houses_started
                    when 'houses_completed' then houses.houses_completed
                    else houses.completed_vnd
                end as decimal(20, 2)) as value
    from houses
    cross join (values ('houses_started', 'houses_started'), ('houses_completed', 'houses_completed'),
                       ('houses_completed', 'houses_completed_vnd')) as figure_names (figure_group, figure)

    union all

    select 'grants', figure_names.figure, grants.programme, grants.period_type, grants.period, null,
           grants.unit_level, grants.unit_code,
           cast(case figure_names.figure
                    when 'grants_beneficiaries' then grants.beneficiaries
                    else grants.amount_vnd
                end as decimal(20, 2))
    from grants
    cross join (values ('grants_beneficiaries'), ('grants_vnd')) as figure_names (figure)

    union all

    select 'poverty', figure_names.figure, null, 'review_year', null, poverty.review_year,
           poverty.unit_level, poverty.unit_code,
           cast(case figure_names.figure
                    when 'total_households' then poverty.total_households
                    when 'poor_households' then poverty.poor_households
                    when 'near_poor_households' then poverty.near_poor_households
                    else poverty.poverty_rate_pct
                end as decimal(20, 2))
    from poverty
    cross join (values ('total_households'), ('poor_households'), ('near_poor_households'),
                       ('poverty_rate_pct')) as figure_names (figure)

),

scoped as (

    select
        figures.*,
        case when unit_level = 'province' then 'province' else unit_code end as unit_scope,
        coalesce(cast(period as varchar), cast(review_year as varchar)) as period_key

    from figures

),

final as (

    select
        scoped.figure
            || '|' || coalesce(scoped.programme, '')
            || '|' || scoped.period_type
            || '|' || scoped.period_key
            || '|' || scoped.unit_scope as figure_key,
        scoped.figure,
        scoped.programme,
        scoped.period_type,
        scoped.period,
        scoped.review_year,
        scoped.unit_scope,
        scoped.value,
        coalesce(approvals.approval_status, 'provisional') as approval_status

    from scoped
    left join approvals
        on scoped.figure_group = approvals.figure_group
        and scoped.unit_scope = approvals.unit_scope
        and scoped.period_type = approvals.period_type
        and scoped.period_key = approvals.period_key
    where scoped.value is not null

)

select * from final
