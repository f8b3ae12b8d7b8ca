-- Household cases, current state (one row per district_code, household_id).
with

house_cases as (

    select * from {{ ref('int_house_cases_current') }}

),

final as (

    select
        -- keys
        district_code,
        household_id,
        commune_code,

        -- attributes
        village,
        ethnicity,
        category,
        support_type,
        status,
        start_date,
        completion_date,

        -- money (whole VND)
        central_budget_vnd,
        local_budget_vnd,
        social_contribution_vnd,
        central_budget_vnd + local_budget_vnd + social_contribution_vnd as total_vnd,

        -- provenance
        period as reported_period,
        first_reported_period,
        submissions_reporting,
        submission_id,
        excel_row

    from house_cases

)

select * from final
