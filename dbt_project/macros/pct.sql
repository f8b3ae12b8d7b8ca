{#-
    Percentage numerator/denominator*100 rounded half-up to 2 decimals,
    computed exactly in integer arithmetic (no floating-point ties).
    Both arguments are non-negative whole counts. Null when the denominator
    is 0 or null. Returns decimal(7,2), e.g. 10.89 (not 0.1089).
-#}
{% macro pct(numerator, denominator) -%}
    case
        when coalesce({{ denominator }}, 0) = 0 then null
        else cast(
            cast(
                (cast({{ numerator }} as hugeint) * 20000 + cast({{ denominator }} as hugeint))
                // (2 * cast({{ denominator }} as hugeint))
            as decimal(18, 0)) / 100
        as decimal(7, 2))
    end
{%- endmacro %}
