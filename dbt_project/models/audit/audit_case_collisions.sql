{{ config(alias='case_collisions') }}

-- A Mã hộ that two districts used for two different cases now in one commune of today: they
-- stay two cases in fct_houses (case_key carries the district), and a commune report naming
-- that id is asked for a new one. One row per (commune of today, Mã hộ).
with

houses as (

    select * from {{ ref('fct_houses') }}

),

cases as (

    select
        coalesce(commune_2025_code, commune_key) as case_commune,
        commune_2025_code,
        household_id,
        district_code,
        submission_id

    from houses

),

final as (

    select
        commune_2025_code,
        household_id,
        string_agg(distinct district_code, ', ' order by district_code) as district_codes,
        string_agg(distinct submission_id, ', ' order by submission_id) as submission_ids

    from cases
    group by case_commune, commune_2025_code, household_id
    having count(distinct district_code) > 1

)

select * from final
order by commune_2025_code, household_id
