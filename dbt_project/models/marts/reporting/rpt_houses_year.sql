-- Houses per calendar year, for the province and for each commune of today's map: the months
-- of rpt_houses_month summed (houses started in the year, completed in the year, their cost),
-- so "houses completed by year" is computed in one place for the report, the load's summary
-- and BI.
with

months as (

    select * from {{ ref('rpt_houses_month') }}

),

approvals as (

    -- a row is approved when both its started and its completed figures are
    select
        unit_scope,
        period_key,
        case when count(case when approval_status = 'approved' then 1 end) = 2 then 'approved'
             else 'provisional' end as approval_status

    from {{ ref('int_figure_approvals') }}
    where figure_group in ('houses_started', 'houses_completed') and period_type = 'year'
    group by unit_scope, period_key

),

years as (

    select
        year,
        unit_level,
        unit_code,
        unit_name,
        {{ house_measures('months') }}

    from months
    group by year, unit_level, unit_code, unit_name

),

final as (

    select
        years.*,
        -- sign-off: approved only when every unit-month of the year behind the figures is
        coalesce(approvals.approval_status, 'provisional') as approval_status

    from years
    left join approvals
        on approvals.unit_scope = case when years.unit_level = 'province' then 'province' else years.unit_code end
        and approvals.period_key = cast(make_date(years.year, 1, 1) as varchar)

)

select * from final
order by year, unit_level desc, unit_code
