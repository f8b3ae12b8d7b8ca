{#- The houses measures of rpt_houses_month and rpt_houses_year, summed over `relation`'s rows
    (whole numbers, bigint on DuckDB and PostgreSQL alike). -#}
{% macro house_measures(relation) -%}
    {%- set measures = ['houses_started', 'started_now_completed', 'started_now_in_progress',
                        'started_now_not_started', 'started_vnd', 'houses_completed', 'completed_new_build',
                        'completed_repair', 'completed_central_vnd', 'completed_local_vnd',
                        'completed_social_vnd', 'completed_vnd'] -%}
    {%- for measure in measures %}
        cast(coalesce(sum({{ relation }}.{{ measure }}), 0) as bigint) as {{ measure }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}
