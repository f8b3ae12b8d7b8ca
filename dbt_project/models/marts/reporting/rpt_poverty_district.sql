-- Each district's poverty review per review year (the district level ends with the 2024
-- review): name, counts, rate, the change against the previous year and against the
-- district's first review year under the same poverty standard (never across standards), the
-- standard, and the communes reported against those due.
with

districts_years as (

    select * from {{ ref('agg_poverty_district_year') }}

),

districts as (

    select * from {{ ref('dim_district') }}

),

years as (

    select
        districts_years.*,
        (districts_years.communes_reported < districts_years.communes_total or coalesce(districts_years.communes_partial, 0) > 0) as is_partial,
        first_value(districts_years.review_year) over (
            partition by districts_years.district_code, districts_years.poverty_standard
            order by districts_years.review_year
        ) as first_review_year,
        first_value(districts_years.poverty_rate_pct) over (
            partition by districts_years.district_code, districts_years.poverty_standard
            order by districts_years.review_year
        ) as first_poverty_rate_pct

    from districts_years

),

final as (

    select
        years.district_code,
        districts.district_name,
        years.review_year,
        years.total_households,
        years.poor_households,
        years.near_poor_households,
        years.poverty_rate_pct,
        years.near_poor_rate_pct,
        years.change_pp,
        years.first_review_year,
        case
            when years.poverty_standard <> 'mixed'
                then cast(years.poverty_rate_pct - years.first_poverty_rate_pct as decimal(8, 2))
        end as change_since_first_pp,
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
    left join districts
        on years.district_code = districts.district_code
    {{ poverty_standard_label_join('years.poverty_standard') }}
    left join years as previous_year
        on years.district_code = previous_year.district_code
        and years.review_year - 1 = previous_year.review_year

)

select * from final
order by district_code, review_year
