-- Annual poverty review per commune and review year, from the latest current
-- submission carrying it. Rates are computed from the counts.
with

poverty as (

    select * from {{ ref('int_poverty_latest') }}

),

final as (

    select
        district_code,
        commune_code,
        review_year,
        total_households,
        poor_households,
        near_poor_households,
        poor_ethnic_minority_households,
        {{ pct('poor_households', 'total_households') }} as poverty_rate_pct,
        {{ pct('near_poor_households', 'total_households') }} as near_poor_rate_pct,
        poverty_rate_pct_written,
        period as reported_period,
        submission_id,
        excel_row

    from poverty

)

select * from final
