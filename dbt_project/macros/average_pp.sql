{#-
    The mean of a column of percentage points (2 decimals), rounded half away from zero to 2
    decimals, computed exactly in integer hundredths (no floating-point ties, the same on DuckDB
    and PostgreSQL). Null when no row has a value. Returns decimal(8,2).
-#}
{% macro average_pp(column) -%}
    case
        when count({{ column }}) = 0 then null
        else cast(
            cast(
                sign(sum({{ column }}))
                * {{ integer_division(
                    '(2 * abs(cast(sum(' ~ column ~ ') * 100 as ' ~ wide_integer() ~ ')) + count(' ~ column ~ '))',
                    '(2 * count(' ~ column ~ '))') }}
            as decimal(18, 0)) / 100
        as decimal(8, 2))
    end
{%- endmacro %}
