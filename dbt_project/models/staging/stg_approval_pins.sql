with

source as (

    select * from {{ source('raw', 'approval_pins') }}

),

renamed as (

    select
        event_id,
        sheet_kind,
        scope,
        submission_id

    from source

)

select * from renamed
