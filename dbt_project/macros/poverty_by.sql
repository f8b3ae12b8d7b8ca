{#-
    Poverty per unit and review year, shared by agg_poverty_district_year (group_columns
    ['district_code']) and agg_poverty_province_year (group_columns []): counts summed over
    the communes that reported (fct_poverty_rates), rates from the summed counts (never
    averaged from rates, macros/pct.sql), the change against the same unit's previous review
    year, and communes_total: the unit's communes in the list in force on 31 December of the
    review year (seed admin_unit_lists: 204 for the 2024 review, 75 for the 2025 one).
    communes_total is counted from the list itself, not from reporting rows, so communes (and,
    for the province, whole districts) that sent nothing that year still count. Rows without
    a value in a group column (e.g. district_code on reviews reported by communes, from 2025)
    are left out of that grouping: district series end with the 2024 review.

    The year's poverty standard is the one its communes share ('mixed' when they stand on different
    ones: macros/poverty_comparison.sql); the changes are null across a change of standard.

    Columns: group_columns..., review_year, total_households, poor_households,
    near_poor_households, poverty_rate_pct, near_poor_rate_pct, change_pp,
    near_poor_change_pp, communes_reported, communes_total, admin_list_year, commune_list,
    communes_partial (communes whose figure is partial: a village row rejected or dropped),
    poverty_standard, comparable_with_previous.
-#}
{% macro poverty_by(group_columns) -%}
{%- set keys = group_columns | list -%}
{%- set key_list -%}{% for column in keys %}{{ column }}, {% endfor %}{%- endset -%}
with

poverty_rates as (

    select * from {{ ref('fct_poverty_rates') }}

),

admin_units as (

    select * from {{ ref('stg_commune_map') }}

),

admin_unit_lists as (

    select * from {{ ref('admin_unit_lists') }}

),

unit_year as (

    select
        {{ key_list }}review_year,
        cast(sum(total_households) as bigint) as total_households,
        cast(sum(poor_households) as bigint) as poor_households,
        cast(sum(near_poor_households) as bigint) as near_poor_households,
        count(distinct commune_code) as communes_reported,
        count(distinct case when is_partial then commune_code end) as communes_partial,
        {{ unit_poverty_standard() }} as poverty_standard

    from poverty_rates
    where true{% for column in keys %} and {{ column }} is not null{% endfor %}
    group by {{ key_list }}review_year

),

-- the list in force on 31 December of each review year (before the first list: the first
-- list, as pipeline/ingest/reference.py list_in_force does)
review_year_list as (

    select
        review_years.review_year,
        coalesce(
            {{ value_at_max('in_force.commune_list', 'in_force.valid_from') }},
            (select {{ value_at_min('commune_list', 'valid_from') }} from admin_unit_lists)
        ) as commune_list

    from (select distinct review_year from unit_year) as review_years
    left join admin_unit_lists as in_force
        on make_date(review_years.review_year, 12, 31) >= in_force.valid_from
        and (in_force.valid_to is null or make_date(review_years.review_year, 12, 31) <= in_force.valid_to)
    group by review_years.review_year

),

communes_in_force as (

    select
        commune_list,
        {{ key_list }}count(*) as communes_total

    from admin_units
    group by {{ key_list }}commune_list

),

with_rates as (

    select
        unit_year.*,
        {{ pct('poor_households', 'total_households') }} as poverty_rate_pct,
        {{ pct('near_poor_households', 'total_households') }} as near_poor_rate_pct,
        lists.list_year as admin_list_year,
        review_year_list.commune_list

    from unit_year
    inner join review_year_list
        on unit_year.review_year = review_year_list.review_year
    inner join admin_unit_lists as lists
        on review_year_list.commune_list = lists.commune_list

),

final as (

    select
        {%- for column in keys %}
        with_rates.{{ column }},
        {%- endfor %}
        with_rates.review_year,
        with_rates.total_households,
        with_rates.poor_households,
        with_rates.near_poor_households,
        with_rates.poverty_rate_pct,
        with_rates.near_poor_rate_pct,
        {{ change_within_standard('with_rates', 'previous_year', 'poverty_rate_pct') }} as change_pp,
        {{ change_within_standard('with_rates', 'previous_year', 'near_poor_rate_pct') }} as near_poor_change_pp,
        with_rates.communes_reported,
        coalesce(communes_in_force.communes_total, 0) as communes_total,
        with_rates.admin_list_year,
        with_rates.commune_list,
        with_rates.communes_partial,
        with_rates.poverty_standard,
        {{ comparable_with_previous('with_rates', 'previous_year') }} as comparable_with_previous

    from with_rates
    left join with_rates as previous_year
        on with_rates.review_year - 1 = previous_year.review_year
        {%- for column in keys %}
        and with_rates.{{ column }} = previous_year.{{ column }}
        {%- endfor %}
    left join communes_in_force
        on with_rates.commune_list = communes_in_force.commune_list
        {%- for column in keys %}
        and with_rates.{{ column }} = communes_in_force.{{ column }}
        {%- endfor %}

)

select * from final
order by {{ key_list }}review_year
{%- endmacro %}
