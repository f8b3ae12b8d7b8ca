{#-
    Fails for every combination of the given columns that occurs more than
    once (a multi-column grain test; no packages needed).
-#}
{% test unique_combination(model, combination_of_columns) %}

with grouped as (

    select
        {{ combination_of_columns | join(', ') }},
        count(*) as n_rows
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}

)

select * from grouped
where n_rows > 1

{% endtest %}
