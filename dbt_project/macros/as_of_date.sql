{#- The day a build judges "due" and "late" on: the var as_of (the pipeline passes the load's
    date; tests pass a fixed one), else today. Never current_date directly in a model. -#}
{% macro as_of_date() -%}
    {%- if var('as_of', none) -%}
        cast('{{ var("as_of") }}' as date)
    {%- else -%}
        current_date
    {%- endif -%}
{%- endmacro %}
