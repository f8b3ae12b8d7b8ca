{{ config(alias='warnings') }}

-- Soft-rule findings on loaded rows.
with

warnings as (

    select * from {{ ref('stg_warnings') }}

),

final as (

    select
        submission_id,
        sheet,
        excel_row,
        "column",
        value,
        message,
        cell,
        message_vi,
        sheet_kind,
        rule

    from warnings

)

select * from final
order by submission_id, sheet_kind, excel_row nulls first, "column"
