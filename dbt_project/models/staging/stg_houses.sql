-- household_head and national_id are personal data: they never leave raw.
with

source as (

    select * from {{ source('raw', 'houses') }}

),

renamed as (

    select
        -- ids
        submission_id,
        excel_row,
        household_id,
        commune_code,
        commune_list,

        -- descriptive
        village,
        ethnicity,
        category,
        support_type,
        status,
        notes,

        -- money (whole VND)
        central_budget_vnd,
        local_budget_vnd,
        social_contribution_vnd,

        -- dates
        start_date,
        completion_date

    from source

)

select * from renamed
