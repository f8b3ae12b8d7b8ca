-- Files that await the province's approval, labelled (audit.pending_revisions): one row per pending
-- submission and scope, with the reporting unit's name, the sheet in Vietnamese, and what approving the
-- month again would change there.
with

pending as (

    select * from {{ ref('audit_pending_revisions') }}

),

units as (

    select * from {{ ref('dim_reporting_unit') }}

),

final as (

    select
        pending.unit_type,
        pending.unit_code,
        units.unit_name,
        pending.period,
        pending.sheet_kind,
        case pending.sheet_kind
            when 'houses' then 'Nhà ở'
            when 'grants' then 'Hỗ trợ'
            when 'poverty' then 'Hộ nghèo'
        end as sheet_label_vi,
        pending.commune_code,
        pending.review_year,
        pending.submission_id,
        pending.file_name,
        pending.version,
        pending.prepared_on,
        pending.received_at,
        pending.rows_added,
        pending.rows_removed,
        pending.rows_changed,
        pending.figures_before_after

    from pending
    left join units
        on pending.unit_type = units.unit_type
        and pending.unit_code = units.unit_code

)

select * from final
order by period, unit_type desc, unit_code, sheet_kind, file_name
