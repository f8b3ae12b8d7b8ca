with

source as (

    select * from {{ source('raw', 'warnings') }}

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
        message,
        message_vi,
        rule

    from source

)

select * from renamed
