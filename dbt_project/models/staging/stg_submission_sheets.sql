with

source as (

    select * from {{ source('raw', 'submission_sheets') }}

),

renamed as (

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
        coalesce(is_read, true) as is_read   -- rows written before issue 23 are data sheets, read

    from source

)

select * from renamed
