{#- The format's "latest" rule, in one place: latest reporting month, then the highest
    Lần gửi, then the latest arrival, then (same run) the later modification time;
    submission_id and excel_row only make the choice deterministic. -#}
{% macro submission_recency_order() -%}
    period desc nulls last,
    version desc nulls last,
    received_at desc nulls last,
    file_mtime desc nulls last,
    submission_id desc,
    excel_row desc
{%- endmacro %}
