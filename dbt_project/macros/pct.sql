{#-
    Percentage numerator/denominator*100 rounded half-up to 2 decimals,
    computed exactly in integer arithmetic (no floating-point ties).
    Both arguments are non-negative whole counts. Null when the denominator
    is 0 or null. Returns decimal(7,2), e.g. 10.89 (not 0.1089).
    The wide integer type and the integer division differ between engines
    (wide_integer, integer_division below).
-#}
{% macro pct(numerator, denominator) -%}
    case
        when coalesce({{ denominator }}, 0) = 0 then null
        else cast(
            cast(
                {{ integer_division(
                    '(cast(' ~ numerator ~ ' as ' ~ wide_integer() ~ ') * 20000 + cast(' ~ denominator ~ ' as ' ~ wide_integer() ~ '))',
                    '(2 * cast(' ~ denominator ~ ' as ' ~ wide_integer() ~ '))') }}
            as decimal(18, 0)) / 100
        as decimal(7, 2))
    end
{%- endmacro %}

{#- An integer type wide enough for count * 20000: DuckDB's hugeint; elsewhere numeric(38, 0). -#}
{% macro wide_integer() -%}
    {{ return(adapter.dispatch('wide_integer')()) }}
{%- endmacro %}

{% macro default__wide_integer() -%}
    numeric(38, 0)
{%- endmacro %}

{% macro duckdb__wide_integer() -%}
    hugeint
{%- endmacro %}

{#- a // b of non-negative whole numbers: DuckDB's // operator, PostgreSQL's div(). -#}
{% macro integer_division(dividend, divisor) -%}
    {{ return(adapter.dispatch('integer_division')(dividend, divisor)) }}
{%- endmacro %}

{% macro default__integer_division(dividend, divisor) -%}
    div({{ dividend }}, {{ divisor }})
{%- endmacro %}

{% macro duckdb__integer_division(dividend, divisor) -%}
    {{ dividend }} // {{ divisor }}
{%- endmacro %}
