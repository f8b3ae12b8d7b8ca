with

source as (

    select * from {{ source('raw', 'published_figures') }}

),

renamed as (

    select
        -- the publish and the figure
        published_at,
        figure_key,
        figure,
        programme,
        period_type,
        period,
        review_year,
        unit_scope,

        -- what it was
        value,
        approval_status

    from source

)

select * from renamed
