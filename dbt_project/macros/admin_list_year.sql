{#- The administrative-unit list in force at the end of a review year: the 2024 list
    up to review year 2024, the 2025 list after (pipeline/reference.py applies the same rule
    when it checks poverty rows). -#}
{% macro admin_list_year(review_year) -%}
    case when {{ review_year }} <= 2024 then 2024 else 2025 end
{%- endmacro %}
