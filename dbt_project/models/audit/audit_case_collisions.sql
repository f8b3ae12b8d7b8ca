{{ config(alias='case_collisions') }}

-- Two house cases that may be one, or one Mã hộ that names two (case keys only, never the Số CCCD
-- that found them; collision says which):
-- - district_id_reuse: a Mã hộ two districts used for two cases now in one commune of today; they
--   stay two cases in fct_houses (case_key carries the district), a commune report naming the id is
--   asked for a new one. One row per (commune of today, Mã hộ).
-- - the ingest's findings (raw.case_links): renumbered (a new Mã hộ continues an open case of the same
--   household in its commune: one case), same_household_completed_case (the household's earlier case
--   there is completed: two cases, the clerk warned), same_household_two_communes (open cases of two
--   communes: both stay, both warned), household_id_of_another_commune (a commune named a Mã hộ that
--   another commune holds: the row was rejected), same_household_in_one_sheet (two rows of one sheet:
--   both rejected). One row per finding's keys.
with

houses as (

    select * from {{ ref('fct_houses') }}

),

links as (

    select * from {{ ref('stg_case_links') }}

),

district_reuse as (

    select
        commune_2025_code,
        household_id,
        string_agg(distinct district_code, ', ' order by district_code) as district_codes,
        string_agg(distinct submission_id, ', ' order by submission_id) as submission_ids,
        'district_id_reuse' as collision,
        cast(null as varchar) as other_commune_2025_code,
        cast(null as varchar) as other_household_id

    from houses
    group by coalesce(commune_2025_code, commune_key), commune_2025_code, household_id
    having count(distinct district_code) > 1

),

found as (

    select
        commune_2025_code,
        household_id,
        cast(null as varchar) as district_codes,
        string_agg(distinct submission_id, ', ' order by submission_id) as submission_ids,
        case link
            when 'continues' then 'renumbered'
            when 'completed_case_same_household' then 'same_household_completed_case'
            when 'other_commune' then 'same_household_two_communes'
            else link
        end as collision,
        other_commune_2025_code,
        other_household_id

    from links
    group by link, commune_2025_code, household_id, other_commune_2025_code, other_household_id

),

final as (

    select * from district_reuse
    union all
    select * from found

)

select * from final
order by collision, commune_2025_code, household_id, other_household_id
