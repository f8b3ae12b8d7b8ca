{{ config(materialized="table") }}

-- The headline figures as this build would publish them (warehouse contract, "How sign-off works"), one row
-- per figure: houses_started, houses_completed, houses_completed_vnd, and grants_beneficiaries and grants_vnd
-- per programme, each per month and per calendar year; total_households, poor_households,
-- near_poor_households and poverty_rate_pct per review year; for the province and for every unit of today's
-- map. Values from the reporting layer (the report and BI read the same rows); approval_status from
-- int_figure_approvals. figure_key names a figure across publishes.
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

grants_year as (

    select
        year,
        unit_level,
        unit_code,
        programme,
        cast(sum(beneficiaries) as bigint) as beneficiaries,
        cast(sum(amount_vnd) as bigint) as amount_vnd

    from grants_month
    group by year, unit_level, unit_code, programme

),

figures as (

    {%- for figure, column, group in [('houses_started', 'houses_started', 'houses_started'),
                                      ('houses_completed', 'houses_completed', 'houses_completed'),
                                      ('houses_completed_vnd', 'completed_vnd', 'houses_completed')] %}
    select '{{ group }}' as figure_group, '{{ figure }}' as figure, cast(null as varchar) as programme,
           'month' as period_type, period, cast(null as integer) as review_year, unit_level, unit_code,
           cast({{ column }} as decimal(20, 2)) as value
    from houses_month

    union all

    select '{{ group }}', '{{ figure }}', null, 'year', make_date(year, 1, 1), null, unit_level, unit_code,
           cast({{ column }} as decimal(20, 2))
    from houses_year

    union all
    {%- endfor %}

    {%- for figure, column in [('grants_beneficiaries', 'beneficiaries'), ('grants_vnd', 'amount_vnd')] %}
    select 'grants', '{{ figure }}', programme, 'month', period, null, unit_level, unit_code,
           cast({{ column }} as decimal(20, 2))
    from grants_month

    union all

    select 'grants', '{{ figure }}', programme, 'year', make_date(year, 1, 1), null, unit_level, unit_code,
           cast({{ column }} as decimal(20, 2))
    from grants_year

    union all
    {%- endfor %}

    {%- for figure in ['total_households', 'poor_households', 'near_poor_households', 'poverty_rate_pct'] %}
    select 'poverty', '{{ figure }}', null, 'review_year', null, review_year, 'province', null,
           cast({{ figure }} as decimal(20, 2))
    from poverty_province

    union all

    select 'poverty', '{{ figure }}', null, 'review_year', null, review_year, 'commune', commune_2025_code,
           cast({{ figure }} as decimal(20, 2))
    from poverty_commune
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}

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
