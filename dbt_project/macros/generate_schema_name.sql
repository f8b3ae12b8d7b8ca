{#-
    Use a custom schema name verbatim (staging, intermediate, marts, audit,
    reference) instead of dbt's default "<target_schema>_<custom_schema>".
    Nodes without a custom schema go to the target schema.

    On PostgreSQL BI reads marts and audit in the database itself, so the build
    writes them as marts__build and audit__build and the publish step swaps them
    in, in one transaction (pipeline/warehouse/pg_publish.py): a reader never sees
    half a build. On DuckDB BI reads a published copy (bi.duckdb): no suffix.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- elif target.type == 'postgres' and custom_schema_name | trim in ('marts', 'audit') -%}
        {{ custom_schema_name | trim }}__build
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
