-- Household cases, current state: one row per case (case_key: Mã hộ within today's commune,
-- one case across the 2025 reforms). district_code is the district that first reported the
-- case (null for cases first reported by a commune, from 2025-07).
with

house_cases as (

    select * from {{ ref('int_house_cases_current') }}

),

final as (

    select
        -- keys
        first_district_code as district_code,
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
        excel_row,

        -- the 2025 reforms: the commune as reported (with its list) and on today's map
        case_key,
        commune_key,
        commune_list,
        commune_2025_code,
        commune_2025_mapping,
        case_household_id as first_household_id,

        -- sign-off: approved when the unit-month that carries the row is approved
        approval_status

    from house_cases

)

select * from final
