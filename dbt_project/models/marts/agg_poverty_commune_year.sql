-- Poverty on today's map (the 75 communes of 2025-07) for every review year from 2021: the
-- communes as reported, summed into their unit of today through the crosswalks (counts are
-- summed, rates recomputed from the sums, never averaged). A unit-year is `approximate` when
-- any old commune contributing to it is (its pieces went to more than one unit, or the
-- sources do not say: its figures go to its main successor). Old communes with no main
-- successor count in the province only: audit.crosswalk_gaps. A unit-year's poverty standard is the
-- one its old communes share ('mixed' otherwise); change_pp is null across a change of standard.
with

poverty_rates as (

    select * from {{ ref('fct_poverty_rates') }}
    where review_year >= 2021

),

commune_map as (

    select * from {{ ref('stg_commune_map') }}

),

lists as (

    select * from {{ ref('admin_unit_lists') }}

),

today as (

    select * from {{ ref('dim_commune_2025') }}

),

unit_year as (

    select
        commune_2025_code,
        review_year,
        cast(sum(total_households) as bigint) as total_households,
        cast(sum(poor_households) as bigint) as poor_households,
        cast(sum(near_poor_households) as bigint) as near_poor_households,
        count(distinct commune_key) as communes_reported,
        bool_or(commune_2025_mapping <> 'exact') as any_approximate,
        count(distinct case when is_partial then commune_key end) as communes_partial,
        {{ unit_poverty_standard() }} as poverty_standard

    from poverty_rates
    where commune_2025_code is not null
    group by commune_2025_code, review_year

),

-- the list in force on 31 December of each review year
review_year_list as (

    select
        review_years.review_year,
        {{ value_at_max('lists.commune_list', 'lists.valid_from') }} as commune_list

    from (select distinct review_year from unit_year) as review_years
    inner join lists
        on make_date(review_years.review_year, 12, 31) >= lists.valid_from
        and (lists.valid_to is null or make_date(review_years.review_year, 12, 31) <= lists.valid_to)
    group by review_years.review_year

),

expected as (

    select
        review_year_list.review_year,
        commune_map.commune_2025_code,
        count(*) as communes_expected

    from review_year_list
    inner join commune_map
        on review_year_list.commune_list = commune_map.commune_list
    where commune_map.commune_2025_code is not null
    group by review_year_list.review_year, commune_map.commune_2025_code

),

with_rates as (

    select
        unit_year.*,
        {{ pct('poor_households', 'total_households') }} as poverty_rate_pct

    from unit_year

),

final as (

    select
        with_rates.commune_2025_code,
        today.commune_2025_name,
        with_rates.review_year,
        with_rates.total_households,
        with_rates.poor_households,
        with_rates.near_poor_households,
        with_rates.poverty_rate_pct,
        {{ change_within_standard('with_rates', 'previous_year', 'poverty_rate_pct') }} as change_pp,
        with_rates.communes_reported,
        coalesce(expected.communes_expected, 0) as communes_expected,
        case when with_rates.any_approximate then 'approximate' else 'exact' end as mapping,
        with_rates.communes_partial,
        with_rates.poverty_standard,
        {{ comparable_with_previous('with_rates', 'previous_year') }} as comparable_with_previous

    from with_rates
    inner join today
        on with_rates.commune_2025_code = today.commune_2025_code
    left join with_rates as previous_year
        on with_rates.commune_2025_code = previous_year.commune_2025_code
        and with_rates.review_year - 1 = previous_year.review_year
    left join expected
        on with_rates.commune_2025_code = expected.commune_2025_code
        and with_rates.review_year = expected.review_year

)

select * from final
order by commune_2025_code, review_year
