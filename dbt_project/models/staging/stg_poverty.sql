with

source as (

    select * from {{ source('raw', 'poverty') }}

),

renamed as (

    select
        submission_id,
        excel_row,
        commune_code,
        commune_list,
        village,
        review_year,
        total_households,
        poor_households,
        near_poor_households,
        poor_ethnic_minority_households,
        poverty_rate_pct_written,
        poverty_standard_stated

    from source

)

select * from renamed
