-- Revised figures, labelled for people (warehouse contract, "The reporting layer"): one row per published
-- figure x publish that changed its value (marts.fct_revisions), with the figure's name in Vietnamese and
-- English, its unit and period, the value first published, the value before and after this revision, the
-- value now, when, and why: the files that began or stopped counting then. is_official_revision: the
-- figure had been published as approved. since_last_report: revised by the latest publish that changed
-- any published figure (the report's "Revised since the last report").
{%- set labels = [
    ('houses_started', 'Số nhà khởi công', 'Houses started'),
    ('houses_completed', 'Số nhà hoàn thành', 'Houses completed'),
    ('houses_completed_vnd', 'Kinh phí nhà hoàn thành (đồng)', 'Cost of the houses completed (VND)'),
    ('grants_beneficiaries', 'Số đối tượng được hỗ trợ', 'Beneficiaries'),
    ('grants_vnd', 'Số tiền hỗ trợ (đồng)', 'Amount paid (VND)'),
    ('total_households', 'Tổng số hộ', 'Households'),
    ('poor_households', 'Số hộ nghèo', 'Poor households'),
    ('near_poor_households', 'Số hộ cận nghèo', 'Near-poor households'),
    ('poverty_rate_pct', 'Tỷ lệ hộ nghèo (%)', 'Poverty rate (%)'),
] %}
with

revisions as (

    select * from {{ ref('fct_revisions') }}

),

figures as (

    select * from {{ ref('fct_published_figures') }}

),

communes as (

    select * from {{ ref('dim_commune_2025') }}

),

programmes as (

    select code as programme, label_vi as programme_label_vi, label_en as programme_label_en
    from {{ ref('dim_enumeration') }}
    where domain = 'programme'

),

labels as (

    {%- for figure, label_vi, label_en in labels %}
    select '{{ figure }}' as figure, '{{ label_vi }}' as label_vi, '{{ label_en }}' as label_en,
           {{ loop.index }} as sort_order
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

current_values as (

    select distinct on (figure_key) figure_key, value as current_value, approval_status as current_approval_status
    from figures
    order by figure_key, published_at desc

),

latest_change as (

    select max(published_at) as published_at from figures

),

final as (

    select
        revisions.figure_key,
        revisions.figure,
        labels.label_vi,
        labels.label_en,
        revisions.programme,
        programmes.programme_label_vi,
        programmes.programme_label_en,
        revisions.period_type,
        revisions.period,
        revisions.review_year,
        revisions.unit_scope,
        case when revisions.unit_scope = 'province' then '{{ var("province_name") }}'
             else communes.commune_2025_name end as unit_name,
        revisions.first_published_at,
        revisions.first_published_value,
        revisions.previous_published_at,
        revisions.previous_value,
        revisions.previous_approval_status,
        revisions.revised_at,
        revisions.new_value,
        revisions.new_approval_status,
        revisions.change,
        current_values.current_value,
        current_values.current_approval_status,
        revisions.previous_approval_status = 'approved' as is_official_revision,
        revisions.revised_at = latest_change.published_at as since_last_report,
        revisions.caused_by_submission_ids,
        revisions.caused_by_files,
        revisions.replaced_submission_ids,
        revisions.replaced_files,
        labels.sort_order

    from revisions
    cross join latest_change
    left join labels
        on revisions.figure = labels.figure
    left join programmes
        on revisions.programme = programmes.programme
    left join communes
        on revisions.unit_scope = communes.commune_2025_code
    left join current_values
        on revisions.figure_key = current_values.figure_key

)

select * from final
order by revised_at desc, unit_scope = 'province' desc, unit_scope, sort_order, programme, period_type, period, review_year
