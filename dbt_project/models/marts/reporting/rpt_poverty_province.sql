-- The province's poverty review per review year, for the report and BI: counts, rates and the
-- change against the previous review year (marts.agg_poverty_province_year), with the poverty
-- standard each year is measured under, whether the change compares like with like, and the
-- communes reported against those due (a rate on partial reporting says so).
with

province as (

    select * from {{ ref('agg_poverty_province_year') }}

),

years as (

    select
        province.*,
        (province.communes_reported < province.communes_total or coalesce(province.communes_partial, 0) > 0) as is_partial

    from province

),

final as (

    select
        '{{ var("province_code") }}' as unit_code,
        '{{ var("province_name") }}' as unit_name,
        years.review_year,
        years.total_households,
        years.poor_households,
        years.near_poor_households,
        years.poverty_rate_pct,
        years.near_poor_rate_pct,
        years.change_pp,
        years.near_poor_change_pp,
        years.poverty_standard,
        {{ poverty_standard_label('years.poverty_standard', 'vi') }} as poverty_standard_label_vi,
        {{ poverty_standard_label('years.poverty_standard', 'en') }} as poverty_standard_label_en,
        years.comparable_with_previous,
        {{ change_like_for_like('years', 'previous_year') }} as change_like_for_like,
        years.communes_reported,
        years.communes_total as communes_due,
        years.communes_partial,
        years.is_partial

    from years
    {{ poverty_standard_label_join('years.poverty_standard') }}
    left join years as previous_year
        on years.review_year - 1 = previous_year.review_year

)

select * from final
order by review_year
