{#-
    Fails for every value of the column that is not a code of the enumeration `domain` in
    the seed `enumerations` (written by `python -m tools.export_seeds` from
    pipeline/enumerations.py, so Python and dbt share one list). Nulls pass (add not_null).
    `excluding`: codes of the domain this column must not hold (e.g. an outcome is never
    'superseded'). A domain with no codes in the seed fails too (a typo never passes).
-#}
{% test in_enumeration(model, column_name, domain, excluding=[]) %}

with

allowed as (

    select code
    from {{ ref('enumerations') }}
    where domain = '{{ domain }}'
    {%- for code in excluding %}
        and code <> '{{ code }}'
    {%- endfor %}

),

unknown_values as (

    select
        cast({{ column_name }} as varchar) as value,
        count(*) as n_rows
    from {{ model }}
    where {{ column_name }} is not null
        and cast({{ column_name }} as varchar) not in (select code from allowed)
    group by 1

),

unknown_domain as (

    select
        'no codes for domain {{ domain }} in seed enumerations' as value,
        0 as n_rows
    where not exists (select 1 from allowed)

)

select * from unknown_values
union all
select * from unknown_domain

{% endtest %}
