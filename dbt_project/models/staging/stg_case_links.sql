-- Keys only: the Số CCCD that found a link never leaves raw.houses.
with

source as (

    select * from {{ source('raw', 'case_links') }}

),

renamed as (

    select
        submission_id,
        excel_row,
        link,
        commune_2025_code,
        household_id,
        other_commune_2025_code,
        other_household_id,
        other_submission_id

    from source

)

select * from renamed
