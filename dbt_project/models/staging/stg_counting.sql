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

        -- the decision: the submission format's (counts), and what counts officially (sign-off)
        recency,
        counts,
        anchor as is_anchor,
        coalesce(replaced, false) as is_replaced,
        coalesce(counted, counts) as counted,
        coalesce(approval_status, 'provisional') as approval_status

    from source

)

select * from renamed
