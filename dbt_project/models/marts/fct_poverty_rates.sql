-- Annual poverty review per commune and review year, from the latest current
-- submission carrying it (village rows summed). Rates are computed from the counts.
-- district_code is null on reviews reported by a commune (from the 2025 review).
-- A figure summed from village rows is partial when fewer villages loaded than it should stand
-- on (a village row rejected, or dropped since the submission it replaces: int_poverty_villages).
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

final as (

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
        -- sign-off: approved when the commune's review year is approved
        poverty.approval_status

    from poverty
    left join commune_map
        on poverty.commune_list = commune_map.commune_list
        and poverty.commune_code = commune_map.commune_code
    left join villages
        on poverty.submission_id = villages.submission_id
        and poverty.commune_list is not distinct from villages.commune_list
        and poverty.commune_code = villages.commune_code
        and poverty.review_year = villages.review_year

)

select * from final
