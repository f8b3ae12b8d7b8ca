-- Houses per calendar year, for the province and for each commune of today's map: the months
-- of rpt_houses_month summed (houses started in the year, completed in the year, their cost),
-- so "houses completed by year" is computed in one place for the report, the load's summary
-- and BI.
with

months as (

    select * from {{ ref('rpt_houses_month') }}

),

final as (

    select
        year,
        unit_level,
        unit_code,
        unit_name,
        {{ house_measures('months') }}

    from months
    group by year, unit_level, unit_code, unit_name

)

select * from final
order by year, unit_level desc, unit_code
