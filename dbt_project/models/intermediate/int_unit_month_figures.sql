-- The monthly figures of each unit of today's map (the 75 communes that report since 2025-07), for
-- setting a month against the unit's own history (audit_outliers): houses started, completed and the
-- cost of those completed, grants' beneficiaries and amount per programme. Across the reform: before
-- 2025-07 a commune's figures are those of its old communes (through the crosswalk) as their district
-- reported them. One row per unit × month × measure the unit reported: a month that reports none of
-- a figure (no case started, no grant of the programme) has no row, so it is left out of the history
-- and never scored (as DHIS2 keeps no zeros).
with

houses as (

    select * from {{ ref('fct_houses') }}
    where commune_2025_code is not null

),

grants as (

    select * from {{ ref('fct_grants') }}
    where commune_2025_code is not null

),

house_figures as (

    select commune_2025_code, {{ dbt.date_trunc('month', 'start_date') }} as period,
           'houses_started' as measure, cast(null as varchar) as programme, count(*) as value
    from houses
    where start_date is not null
    group by commune_2025_code, {{ dbt.date_trunc('month', 'start_date') }}

    union all

    select commune_2025_code, {{ dbt.date_trunc('month', 'completion_date') }}, 'houses_completed',
           cast(null as varchar), count(*)
    from houses
    where status = 'completed' and completion_date is not null
    group by commune_2025_code, {{ dbt.date_trunc('month', 'completion_date') }}

    union all

    select commune_2025_code, {{ dbt.date_trunc('month', 'completion_date') }}, 'houses_completed_vnd',
           cast(null as varchar), sum(total_vnd)
    from houses
    where status = 'completed' and completion_date is not null
    group by commune_2025_code, {{ dbt.date_trunc('month', 'completion_date') }}

),

grant_figures as (

    select commune_2025_code, period, 'grants_beneficiaries_' || programme as measure, programme,
           sum(beneficiaries) as value
    from grants
    group by commune_2025_code, period, programme

    union all

    select commune_2025_code, period, 'grants_vnd_' || programme, programme, sum(amount_vnd)
    from grants
    group by commune_2025_code, period, programme

),

figures as (

    select commune_2025_code, period, measure, programme, value from house_figures
    union all
    select commune_2025_code, period, measure, programme, value from grant_figures

),

final as (

    select
        'commune' as unit_type,
        commune_2025_code as unit_code,
        cast(period as date) as period,
        measure,
        programme,
        cast(value as double precision) as value

    from figures
    where value > 0

)

select * from final
