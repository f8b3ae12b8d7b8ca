{#-
    The reporting layer's poverty comparisons, written once for the province, the districts
    and the communes of today's map (models/marts/reporting/rpt_poverty_*.sql).

    poverty_standard_join: the review year's default standard (dim_poverty_standard, from
    the reference file poverty_standards.csv): the standard whose default review years hold it.

    comparable_with_previous: the previous review year has figures and was measured under the
    same standard (false when there is no previous year or either year has no standard).

    change_like_for_like: null without a change; else true only when the two years are
    comparable, neither stands on partial reporting and, where given, both mapped exactly
    onto today's map. Partial and approximate years give a change_pp that is not like for like.
-#}
{% macro poverty_standard_join(year_column, alias='standards') -%}
    left join {{ ref('dim_poverty_standard') }} as {{ alias }}
        on {{ year_column }} between {{ alias }}.default_first_review_year and {{ alias }}.default_last_review_year
{%- endmacro %}

{% macro comparable_with_previous(current, previous) -%}
    coalesce({{ previous }}.poverty_standard = {{ current }}.poverty_standard, false)
{%- endmacro %}

{% macro change_like_for_like(current, previous, with_mapping=false) -%}
    case
        when {{ current }}.change_pp is null then null
        else {{ comparable_with_previous(current, previous) }}
            and not {{ current }}.is_partial
            and not coalesce({{ previous }}.is_partial, true)
            {%- if with_mapping %}
            and {{ current }}.mapping = 'exact'
            and coalesce({{ previous }}.mapping = 'exact', false)
            {%- endif %}
    end
{%- endmacro %}
