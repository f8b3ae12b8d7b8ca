-- Current state of each household case. A case is a Mã hộ within today's commune
-- (commune_2025_code, through the crosswalks): a case a district reported up to 2025-06 and
-- its new commune reports afterwards is ONE case (reporting-units-2025.md), and so is a case
-- renumbered in its commune (the same Số CCCD: int_house_case_ids). Rows come from the
-- submissions whose houses count (int_counting_submissions: per unit and month the latest
-- full report and the supplements after it). Where two
-- districts used the same Mã hộ for cases now in one commune of today, they stay two cases
-- (keyed with their district too; audit.case_collisions lists them). An old commune with no
-- main successor keeps its cases within itself (commune_key).
-- The row that counts: the latest reporting month, then the highest version (Lần gửi), then
-- the latest arrival, then the latest file modification time, then the highest submission_id
-- and excel_row: the var submission_recency_order in dbt_project.yml, via
-- submission_recency_order().
with

houses as (

    select * from {{ ref('stg_houses') }}

),

current_submissions as (

    select * from {{ ref('int_counting_submissions') }}
    where sheet_kind = 'houses'

),

case_ids as (

    select * from {{ ref('int_house_case_ids') }}

),

commune_map as (

    select * from {{ ref('stg_commune_map') }}

),

located as (

    select
        current_submissions.district_code,
        current_submissions.unit_type,
        current_submissions.period,
        current_submissions.version,
        current_submissions.received_at,
        current_submissions.file_mtime,
        current_submissions.approval_status,
        houses.*,
        commune_map.commune_key,
        commune_map.commune_2025_code,
        commune_map.commune_2025_mapping,
        coalesce(commune_map.commune_2025_code, commune_map.commune_key,
                 coalesce(houses.commune_list, '?') || '/' || coalesce(houses.commune_code, '?')) as case_commune

    from houses
    inner join current_submissions
        on houses.submission_id = current_submissions.submission_id
    left join commune_map
        on houses.commune_list = commune_map.commune_list
        and houses.commune_code = commune_map.commune_code

),

joined as (

    select
        located.*,
        coalesce(case_ids.first_household_id, located.household_id) as case_household_id

    from located
    left join case_ids
        on located.commune_2025_code = case_ids.commune_2025_code
        and located.household_id = case_ids.household_id

),

districts_per_id as (

    select
        case_commune,
        case_household_id,
        count(distinct district_code) as districts

    from joined
    group by case_commune, case_household_id

),

keyed as (

    select
        joined.*,
        joined.case_commune || '/' || joined.case_household_id
            || case when districts_per_id.districts > 1 then '/' || coalesce(joined.district_code, '') else '' end
            as case_key

    from joined
    inner join districts_per_id
        on joined.case_commune = districts_per_id.case_commune
        and joined.case_household_id = districts_per_id.case_household_id

),

-- Per case, on its keys only (narrow rows sort and spill cheaply; wide ones ran DuckDB out of memory
-- at 1.5 M rows under the load's memory limit): the row that counts (recency_rank 1, in recency order),
-- how many reports carry the case, its first month, and the district that first reported it (null
-- when a commune did).
ranked as (

    select
        case_key,
        submission_id,
        excel_row,
        row_number() over (
            partition by case_key
            order by {{ submission_recency_order() }}
        ) as recency_rank,
        count(*) over (
            partition by case_key
        ) as submissions_reporting,
        min(period) over (
            partition by case_key
        ) as first_reported_period,
        first_value(district_code) over (
            partition by case_key
            order by period asc, received_at asc, submission_id asc
            rows between unbounded preceding and unbounded following
        ) as first_district_code

    from keyed

),

-- the first row of each case in recency order, whole (a row is one submission's excel_row)
final as (

    select
        keyed.*,
        ranked.submissions_reporting,
        ranked.first_reported_period,
        ranked.first_district_code

    from keyed
    inner join ranked
        on keyed.submission_id = ranked.submission_id
        and keyed.excel_row = ranked.excel_row
        and keyed.case_key = ranked.case_key
    where ranked.recency_rank = 1

)

select * from final
