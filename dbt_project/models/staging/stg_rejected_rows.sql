with

source as (

    select * from {{ source('raw', 'rejected_rows') }}

),

renamed as (

    select
        submission_id,
        sheet,
        sheet_kind,
        excel_row,
        "column",
        cell,
        value,
        reason,
        reason_vi,
        rule

    from source

)

select * from renamed
