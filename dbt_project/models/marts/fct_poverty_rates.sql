-- Annual poverty review per commune and review year, from the latest current
-- submission carrying it (village rows summed). Rates are computed from the counts.
-- district_code is null on reviews reported by a commune (from the 2025 review).
-- A figure summed from village rows is partial when fewer villages loaded than it should stand
-- on (a village row rejected, or dropped by the full report that replaced what counted before:
-- int_poverty_villages).
-- poverty_standard: the one the workbook stated (Chuẩn nghèo), else the review year's default;
-- comparable_with_previous: the commune's previous review year was measured under the same one (the
-- same commune; for the first review on a new list, the old communes that map onto its unit of today).
with

poverty as (

    select * from {{ ref('int_poverty_latest') }}

),

commune_map as (

    select * from {{ ref('stg_commune_map') }}

),

villages as (

    select * from {{ ref('int_poverty_villages') }}

),

rates as (

    select
        poverty.district_code,
        poverty.commune_code,
        poverty.review_year,
        total_households,
        poor_households,
        near_poor_households,
        poor_ethnic_minority_households,
        {{ pct('poor_households', 'total_households') }} as poverty_rate_pct,
        {{ pct('near_poor_households', 'total_households') }} as near_poor_rate_pct,
        poverty_rate_pct_written,
        period as reported_period,
        poverty.submission_id,
        poverty.excel_row,
        commune_map.commune_key,
        poverty.commune_list,
        commune_map.commune_2025_code,
        commune_map.commune_2025_mapping,
        village_rows,
        coalesce(villages.villages_reported, 0) as villages_reported,
        coalesce(villages.villages_expected, 0) as villages_expected,
        coalesce(villages.villages_expected > villages.villages_reported, false) as is_partial,
        poverty.poverty_standard,
        poverty.poverty_standard_source,
        -- sign-off: approved when the commune's review year is approved
        poverty.approval_status

    from poverty
    left join commune_map
        on poverty.commune_list = commune_map.commune_list
        and poverty.commune_code = commune_map.commune_code
    left join villages
        on poverty.commune_list is not distinct from villages.commune_list
        and poverty.commune_code = villages.commune_code
        and poverty.review_year = villages.review_year

),

-- across a change of list (the 2025 map) a commune's previous review is its unit of today's
unit_year_standards as (

    select
        commune_2025_code,
        commune_list,
        review_year,
        {{ unit_poverty_standard() }} as poverty_standard

    from rates
    where commune_2025_code is not null
    group by commune_2025_code, commune_list, review_year

),

final as (

    select
        rates.*,
        case
            when same_commune.commune_code is not null
                then {{ comparable_with_previous('rates', 'same_commune') }}
            else {{ comparable_with_previous('rates', 'same_unit') }}
        end as comparable_with_previous

    from rates
    left join rates as same_commune
        on rates.commune_list = same_commune.commune_list
        and rates.commune_code = same_commune.commune_code
        and rates.review_year - 1 = same_commune.review_year
    left join unit_year_standards as same_unit
        on rates.commune_2025_code = same_unit.commune_2025_code
        and rates.commune_list <> same_unit.commune_list
        and rates.review_year - 1 = same_unit.review_year

)

select * from final
