{{ config(alias='rejected_rows') }}

-- Every rejected row (and file-level problem), with the reason.
with

rejected_rows as (

    select * from {{ ref('stg_rejected_rows') }}

),

final as (

    select
        submission_id,
        sheet,
        excel_row,
        "column",
        value,
        reason,
        cell,
        reason_vi,
        sheet_kind,
        rule

    from rejected_rows

)

select * from final
order by submission_id, sheet_kind, excel_row nulls first, "column"
