-- Poverty for the whole province per review year: counts summed over the
-- communes that reported, rates from the summed counts (never averaged),
-- change against the previous review year, communes in force at year end.
with

poverty_rates as (

    select * from {{ ref('fct_poverty_rates') }}

),

admin_units as (

    select * from {{ ref('stg_admin_units') }}

),

province_year as (

    select
        review_year,
        cast(sum(total_households) as bigint) as total_households,
        cast(sum(poor_households) as bigint) as poor_households,
        cast(sum(near_poor_households) as bigint) as near_poor_households,
        count(distinct commune_code) as communes_reported

    from poverty_rates
    group by review_year

),

communes_in_force as (

    select
        list_year,
        count(*) as communes_total

    from admin_units
    group by list_year

),

with_rates as (

    select
        province_year.*,
        {{ pct('poor_households', 'total_households') }} as poverty_rate_pct,
        {{ pct('near_poor_households', 'total_households') }} as near_poor_rate_pct,
        -- the list in force at the end of the review year
        {{ admin_list_year('review_year') }} as admin_list_year

    from province_year

),

final as (

    select
        with_rates.review_year,
        with_rates.total_households,
        with_rates.poor_households,
        with_rates.near_poor_households,
        with_rates.poverty_rate_pct,
        with_rates.near_poor_rate_pct,
        with_rates.poverty_rate_pct - previous_year.poverty_rate_pct as change_pp,
        with_rates.near_poor_rate_pct - previous_year.near_poor_rate_pct as near_poor_change_pp,
        with_rates.communes_reported,
        coalesce(communes_in_force.communes_total, 0) as communes_total,
        with_rates.admin_list_year

    from with_rates
    left join with_rates as previous_year
        on with_rates.review_year - 1 = previous_year.review_year
    left join communes_in_force
        on with_rates.admin_list_year = communes_in_force.list_year

)

select * from final
order by review_year
