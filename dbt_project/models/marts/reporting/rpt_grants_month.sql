-- Grants paid per month and programme, for the province and for each commune of today's map,
-- labelled: the programme in Vietnamese and English and what its beneficiary count counts
-- (households, people or students: sums of beneficiaries mean something within one programme
-- only). Funding sources are summed (their amounts also given one by one); each reported row's
-- beneficiaries count once. Rows of old communes with no unit on today's map count in the
-- province's rows only.
with

grants as (

    select * from {{ ref('fct_grants') }}

),

communes as (

    select * from {{ ref('dim_commune_2025') }}

),

approvals as (

    select * from {{ ref('int_figure_approvals') }}
    where figure_group = 'grants' and period_type = 'month'

),

programmes as (

    select
        code as programme,
        label_vi as programme_label_vi,
        label_en as programme_label_en,
        sort_order as programme_order

    from {{ ref('dim_enumeration') }}
    where domain = 'programme'

),

beneficiary_units as (

    select * from {{ ref('programme_beneficiary_units') }}

),

by_commune as (

    select
        period,
        'commune' as unit_level,
        commune_2025_code as unit_code,
        programme,
        {{ grant_measures() }}

    from grants
    where commune_2025_code is not null
    group by period, commune_2025_code, programme

),

province as (

    select
        period,
        'province' as unit_level,
        '{{ var("province_code") }}' as unit_code,
        programme,
        {{ grant_measures() }}

    from grants
    group by period, programme

),

units as (

    select * from province
    union all
    select * from by_commune

),

final as (

    select
        units.period,
        cast(extract(year from units.period) as integer) as year,
        units.unit_level,
        units.unit_code,
        case
            when units.unit_level = 'province' then '{{ var("province_name") }}'
            else communes.commune_2025_name
        end as unit_name,
        units.programme,
        programmes.programme_label_vi,
        programmes.programme_label_en,
        programmes.programme_order,
        beneficiary_units.beneficiary_unit,
        beneficiary_units.beneficiary_unit_label_vi,
        beneficiary_units.beneficiary_unit_label_en,
        units.beneficiaries,
        units.amount_vnd,
        units.amount_central_vnd,
        units.amount_local_vnd,
        units.amount_social_vnd,
        -- sign-off: approved only when every unit-month behind the figures is
        coalesce(approvals.approval_status, 'provisional') as approval_status

    from units
    left join communes
        on units.unit_level = 'commune'
        and units.unit_code = communes.commune_2025_code
    left join approvals
        on approvals.unit_scope = case when units.unit_level = 'province' then 'province' else units.unit_code end
        and approvals.period_key = cast(units.period as varchar)
    left join programmes
        on units.programme = programmes.programme
    left join beneficiary_units
        on units.programme = beneficiary_units.programme

)

select * from final
order by period, unit_level desc, unit_code, programme_order
