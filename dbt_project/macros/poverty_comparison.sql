{#-
    Poverty comparisons, written once for the communes as reported (fct_poverty_rates), the districts
    and the province (macros/poverty_by.sql), today's communes (agg_poverty_commune_year) and the
    reporting layer (models/marts/reporting/rpt_poverty_*.sql). A rate is comparable with the
    previous review year's only under the same poverty standard (seed poverty_standards, the
    reference file: marts.dim_poverty_standard).

    default_poverty_standard_join: the review year's default standard (the seed's default_* review
    years hold it): the standard of every row whose workbook stated none (Chuẩn nghèo).

    unit_poverty_standard: the standard of a group of rows (an aggregate): the one they share, else
    'mixed' (communes of one review year on different standards: comparable with no other year);
    null when none has one.

    comparable_with_previous: both years have figures, under the same standard, and it is not
    'mixed' (false when there is no previous year or either has no standard).

    change_within_standard: current minus previous, null where the two are not comparable (a change
    of poverty standard is a break in the series, never a change).

    change_like_for_like: null without a change; else true only when the two years are comparable
    (current.comparable_with_previous), neither stands on partial reporting and, where given, both
    mapped exactly onto today's map.
-#}
{#- The standard's label in Vietnamese and English, from marts.dim_poverty_standard joined as `alias`:
    'Chuẩn nghèo 2022-2025 (Nghị định 07/2021/NĐ-CP)' / '2022-2025 standard (Decree 07/2021/NĐ-CP)'. -#}
{% macro poverty_standard_label_join(column, alias='standard_labels') -%}
    left join {{ ref('dim_poverty_standard') }} as {{ alias }}
        on {{ column }} = {{ alias }}.standard_id
{%- endmacro %}

{% macro poverty_standard_label(column, language, alias='standard_labels') -%}
    case
        when {{ column }} = 'mixed' then
            {%- if language == 'vi' %} 'Nhiều chuẩn nghèo khác nhau (không so sánh được)'
            {%- else %} 'mixed standards (not comparable)'{% endif %}
        when {{ alias }}.standard_id is not null then
            {%- if language == 'vi' %}
            'Chuẩn nghèo ' || {{ alias }}.standard_id || ' (' || {{ alias }}.legal_act || ')'
            {%- else %}
            {{ alias }}.standard_id || ' standard ('
                || replace(replace({{ alias }}.legal_act, 'Nghị định', 'Decree'), 'Quyết định', 'Decision') || ')'
            {%- endif %}
    end
{%- endmacro %}

{% macro default_poverty_standard_join(year_column, alias='standards') -%}
    left join {{ ref('poverty_standards') }} as {{ alias }}
        on {{ year_column }} between {{ alias }}.default_first_review_year and {{ alias }}.default_last_review_year
{%- endmacro %}

{% macro unit_poverty_standard(column='poverty_standard') -%}
    case
        when count(distinct {{ column }}) = 1 then min({{ column }})
        when count(distinct {{ column }}) > 1 then 'mixed'
    end
{%- endmacro %}

{% macro comparable_with_previous(current, previous) -%}
    coalesce({{ previous }}.poverty_standard = {{ current }}.poverty_standard
             and {{ current }}.poverty_standard <> 'mixed', false)
{%- endmacro %}

{% macro change_within_standard(current, previous, column) -%}
    case
        when {{ comparable_with_previous(current, previous) }}
            then {{ current }}.{{ column }} - {{ previous }}.{{ column }}
    end
{%- endmacro %}

{% macro change_like_for_like(current, previous, with_mapping=false) -%}
    case
        when {{ current }}.change_pp is null then null
        else {{ current }}.comparable_with_previous
            and not {{ current }}.is_partial
            and not coalesce({{ previous }}.is_partial, true)
            {%- if with_mapping %}
            and {{ current }}.mapping = 'exact'
            and coalesce({{ previous }}.mapping = 'exact', false)
            {%- endif %}
    end
{%- endmacro %}
