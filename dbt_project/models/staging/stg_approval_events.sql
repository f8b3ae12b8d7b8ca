with

source as (

    select * from {{ source('raw', 'approval_events') }}

),

renamed as (

    select
        -- ids
        event_id,
        unit_type,
        unit_code,
        period,

        -- the decision
        action,
        recorded_at,
        recorded_by,
        as_of,
        note,
        run_id

    from source

)

select * from renamed
