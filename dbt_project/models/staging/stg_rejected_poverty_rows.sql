with

source as (

    select * from {{ source('raw', 'rejected_poverty_rows') }}

),

renamed as (

    select
        submission_id,
        excel_row,
        commune_code,
        commune_list,
        review_year,
        village

    from source

)

select * from renamed
