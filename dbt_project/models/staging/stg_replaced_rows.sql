with

source as (

    select * from {{ source('raw', 'replaced_rows') }}

),

renamed as (

    select
        -- ids
        submission_id,
        replaced_submission_id,
        sheet_kind,
        scope,
        excel_row,

        -- the row's key (keys only)
        household_id,
        commune_list,
        commune_code,
        programme,
        funding_source,
        review_year,
        village

    from source

)

select * from renamed
