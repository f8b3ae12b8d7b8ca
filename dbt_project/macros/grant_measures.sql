{#- rpt_grants_month's sums over fct_grants rows: beneficiaries (each reported row once), the
    amount, and the amount per funding source. -#}
{% macro grant_measures() -%}
        cast(sum(beneficiaries) as bigint) as beneficiaries,
        cast(sum(amount_vnd) as bigint) as amount_vnd,
        cast(coalesce(sum(case when funding_source = 'central' then amount_vnd end), 0) as bigint) as amount_central_vnd,
        cast(coalesce(sum(case when funding_source = 'local' then amount_vnd end), 0) as bigint) as amount_local_vnd,
        cast(coalesce(sum(case when funding_source = 'social' then amount_vnd end), 0) as bigint) as amount_social_vnd
{%- endmacro %}
