{#-
    The value of `value` on the row with the greatest (least) `order_by`, rows where
    order_by is null left out; null when there is none. DuckDB has arg_max/arg_min;
    PostgreSQL has neither: the first element of an ordered array_agg.
-#}
{% macro value_at_max(value, order_by) -%}
    {{ return(adapter.dispatch('value_at_extreme')(value, order_by, 'desc')) }}
{%- endmacro %}

{% macro value_at_min(value, order_by) -%}
    {{ return(adapter.dispatch('value_at_extreme')(value, order_by, 'asc')) }}
{%- endmacro %}

{% macro default__value_at_extreme(value, order_by, direction) -%}
    (array_agg({{ value }} order by {{ order_by }} {{ direction }}) filter (where {{ order_by }} is not null))[1]
{%- endmacro %}

{% macro duckdb__value_at_extreme(value, order_by, direction) -%}
    {{ 'arg_max' if direction == 'desc' else 'arg_min' }}({{ value }}, {{ order_by }})
{%- endmacro %}
