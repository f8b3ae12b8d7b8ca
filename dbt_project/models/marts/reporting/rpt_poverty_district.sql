-- Each district's poverty review per review year (the district level ends with the 2024
-- review): name, counts, rate, the change against the previous year and against the
-- district's first review year, the standard, and the communes reported against those due.
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
        standards.standard_id as poverty_standard,
        (districts_years.communes_reported < districts_years.communes_total or coalesce(districts_years.communes_partial, 0) > 0) as is_partial,
        first_value(districts_years.review_year) over (
            partition by districts_years.district_code order by districts_years.review_year
        ) as first_review_year,
        first_value(districts_years.poverty_rate_pct) over (
            partition by districts_years.district_code order by districts_years.review_year
        ) as first_poverty_rate_pct

    from districts_years
    {{ poverty_standard_join('districts_years.review_year') }}

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
        cast(years.poverty_rate_pct - years.first_poverty_rate_pct as decimal(8, 2)) as change_since_first_pp,
        years.poverty_standard,
        {{ comparable_with_previous('years', 'previous_year') }} as comparable_with_previous,
        {{ change_like_for_like('years', 'previous_year') }} as change_like_for_like,
        years.communes_reported,
        years.communes_total as communes_due,
        years.communes_partial,
        years.is_partial

    from years
    left join districts
        on years.district_code = districts.district_code
    left join years as previous_year
        on years.district_code = previous_year.district_code
        and years.review_year - 1 = previous_year.review_year

)

select * from final
order by district_code, review_year
