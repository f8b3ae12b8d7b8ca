{#- The format's "latest" rule, in one place: the var `submission_recency_order` in
    dbt_project.yml (latest reporting month, then the highest Lần gửi, then the latest
    arrival, then (same run) the later modification time; submission_id only makes the
    choice deterministic). Between rows of one submission (rows=true, the default) the
    highest excel_row wins last. Renders an ORDER BY list on one line (no "order by"). -#}
{% macro submission_recency_order(rows=true) -%}
    {%- set keys = var('submission_recency_order') -%}
    {%- if keys is string or not keys -%}
        {{ exceptions.raise_compiler_error("var submission_recency_order must be a non-empty list of order-by terms") }}
    {%- endif -%}
    {{ keys | join(', ') }}{% if rows %}, excel_row desc{% endif %}
{%- endmacro %}
