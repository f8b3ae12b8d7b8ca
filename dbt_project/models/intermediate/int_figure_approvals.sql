{{ config(materialized="table") }}

-- Whether a headline figure is approved: "only when every unit-month behind it is" (warehouse contract,
-- "How sign-off works"). One row per figure group (houses_started; houses_completed, which its cost shares;
-- grants; poverty) x unit scope ('province', or a unit of today's map) x period (a month, a calendar year,
-- or a review year).
-- Behind a month's houses or grants figure: every reporting unit in force that month whose area covers
-- the scope (the province: all of them; a unit of today's map: itself from 2025-07, before that the
-- districts whose communes map to it), and the unit-months of the rows it sums (a case completed in May
-- may be first reported in August). Behind a calendar year: its twelve months. Behind a review year's
-- poverty figure: the commune-years it sums. A month outside the reporting window (no unit due) is never
-- approved.
with

completeness as (

    select * from {{ ref('agg_submission_completeness') }}

),

communes as (

    select * from {{ ref('dim_commune') }}

),

houses as (

    select * from {{ ref('fct_houses') }}

),

grants as (

    select * from {{ ref('fct_grants') }}

),

poverty as (

    select * from {{ ref('fct_poverty_rates') }}

),

unit_months as (

    select
        unit_type,
        unit_code,
        period,
        approval_status in ('approved', 'pending') as is_approved

    from completeness

),

district_areas as (

    select distinct district_code, commune_2025_code, valid_from, valid_to
    from communes
    where district_code is not null and commune_2025_code is not null

),

coverage as (

    select 'province' as unit_scope, period, is_approved
    from unit_months

    union all

    select unit_code, period, is_approved
    from unit_months
    where unit_type = 'commune'

    union all

    select district_areas.commune_2025_code, unit_months.period, unit_months.is_approved
    from unit_months
    inner join district_areas
        on unit_months.unit_type = 'district'
        and unit_months.unit_code = district_areas.district_code
        and unit_months.period >= district_areas.valid_from
        and (district_areas.valid_to is null or unit_months.period <= district_areas.valid_to)

),

scope_months as (

    select unit_scope, period, bool_and(is_approved) as units_approved
    from coverage
    group by unit_scope, period

),

-- the rows each figure sums, with their own sign-off
fact_rows as (

    select 'houses_started' as figure_group, commune_2025_code,
           cast({{ dbt.date_trunc('month', 'start_date') }} as date) as period, approval_status
    from houses
    where start_date is not null

    union all

    select 'houses_completed', commune_2025_code, cast({{ dbt.date_trunc('month', 'completion_date') }} as date),
           approval_status
    from houses
    where status = 'completed' and completion_date is not null

    union all

    select 'grants', commune_2025_code, period, approval_status
    from grants

),

scoped_rows as (

    select figure_group, 'province' as unit_scope, period, approval_status from fact_rows
    union all
    select figure_group, commune_2025_code, period, approval_status from fact_rows
    where commune_2025_code is not null

),

row_months as (

    select figure_group, unit_scope, period, bool_and(approval_status = 'approved') as rows_approved
    from scoped_rows
    group by figure_group, unit_scope, period

),

groups as (

    select 'houses_started' as figure_group union all select 'houses_completed' union all select 'grants'

),

months as (

    select groups.figure_group, scope_months.unit_scope, scope_months.period
    from scope_months
    cross join groups

    union

    select figure_group, unit_scope, period
    from row_months

),

month_status as (

    select
        months.figure_group,
        months.unit_scope,
        months.period,
        coalesce(scope_months.units_approved, false) and coalesce(row_months.rows_approved, true) as is_approved

    from months
    left join scope_months
        on months.unit_scope = scope_months.unit_scope
        and months.period = scope_months.period
    left join row_months
        on months.figure_group = row_months.figure_group
        and months.unit_scope = row_months.unit_scope
        and months.period = row_months.period

),

year_status as (

    select
        figure_group,
        unit_scope,
        cast(extract(year from period) as integer) as year,
        count(distinct case when is_approved then period end) = 12 as is_approved

    from month_status
    group by figure_group, unit_scope, cast(extract(year from period) as integer)

),

poverty_rows as (

    select 'province' as unit_scope, review_year, approval_status from poverty
    union all
    select commune_2025_code, review_year, approval_status from poverty
    where commune_2025_code is not null

),

poverty_status as (

    select unit_scope, review_year, bool_and(approval_status = 'approved') as is_approved
    from poverty_rows
    group by unit_scope, review_year

),

labelled as (

    select figure_group, unit_scope, 'month' as period_type, period, cast(null as integer) as review_year,
           case when is_approved then 'approved' else 'provisional' end as approval_status
    from month_status

    union all

    select figure_group, unit_scope, 'year', make_date(year, 1, 1), cast(null as integer),
           case when is_approved then 'approved' else 'provisional' end
    from year_status

    union all

    select 'poverty', unit_scope, 'review_year', cast(null as date), review_year,
           case when is_approved then 'approved' else 'provisional' end
    from poverty_status

),

final as (

    select
        labelled.*,
        -- the period as text (joins on it: a plain key on both engines)
        coalesce(cast(period as varchar), cast(review_year as varchar)) as period_key

    from labelled

)

select * from final
