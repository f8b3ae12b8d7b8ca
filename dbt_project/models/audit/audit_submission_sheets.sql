{{ config(alias='submission_sheets') }}

-- Row counts per submission and data sheet.
with

submission_sheets as (

    select * from {{ ref('stg_submission_sheets') }}

),

final as (

    select
        submission_id,
        sheet,
        sheet_name,
        header_row,
        rows_read,
        rows_loaded,
        rows_rejected,
        rows_skipped,
        warnings,
        is_read

    from submission_sheets

)

select * from final
order by submission_id, sheet
