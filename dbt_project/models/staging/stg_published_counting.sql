with

source as (

    select * from {{ source('raw', 'published_counting') }}

),

renamed as (

    select
        published_at,
        sheet_kind,
        scope,
        submission_id,
        counted

    from source

)

select * from renamed
