with

source as (

    select * from {{ source('raw', 'skipped_rows') }}

),

renamed as (

    select
        submission_id,
        sheet,
        sheet_kind,
        excel_row,
        kind

    from source

)

select * from renamed
