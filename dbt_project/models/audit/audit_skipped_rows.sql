{{ config(alias='skipped_rows') }}

-- Every row read but neither loaded nor rejected, with the kind that says why.
with

skipped_rows as (

    select * from {{ ref('stg_skipped_rows') }}

),

final as (

    select
        submission_id,
        sheet,
        excel_row,
        kind,
        sheet_kind

    from skipped_rows

)

select * from final
order by submission_id, sheet_kind, excel_row
