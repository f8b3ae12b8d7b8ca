{#- The day a build judges "due" and "late" on: the var as_of (the pipeline passes the load's
    date; tests pass a fixed one), else today. Never current_date directly in a model. -#}
{% macro as_of_date() -%}
    {%- if var('as_of', none) -%}
        cast('{{ var("as_of") }}' as date)
    {%- else -%}
        current_date
    {%- endif -%}
{%- endmacro %}

{#- When the build at hand will be published (the var published_at: the pipeline passes the dbt run's start,
    Son La time), else now: the publish time of the rows fct_published_figures and int_counting_changes add. -#}
{% macro published_at() -%}
    {%- if var('published_at', none) -%}
        cast('{{ var("published_at") }}' as timestamp)
    {%- else -%}
        cast({{ dbt.current_timestamp() }} as timestamp)
    {%- endif -%}
{%- endmacro %}
