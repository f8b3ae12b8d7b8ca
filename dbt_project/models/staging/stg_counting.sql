with

source as (

    select * from {{ source('raw', 'counting') }}

),

renamed as (

    select
        -- ids
        sheet_kind,
        scope,
        submission_id,

        -- poverty scopes: the commune as reported and the review year
        commune_list,
        commune_code,
        review_year,

        -- the decision
        recency,
        counts,
        anchor as is_anchor,
        coalesce(replaced, false) as is_replaced

    from source

)

select * from renamed
