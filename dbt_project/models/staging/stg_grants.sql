with

source as (

    select * from {{ source('raw', 'grants') }}

),

renamed as (

    select
        submission_id,
        excel_row,
        commune_code,
        commune_list,
        programme,
        funding_source,
        beneficiaries,
        amount_vnd,
        notes

    from source

)

select * from renamed
