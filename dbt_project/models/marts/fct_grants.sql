-- Grants paid, one row per commune x month x programme x funding source, from the submissions
-- whose grants count (int_counting_submissions: per unit and month the latest full report and
-- the supplements after it, merged by key: the latest wins); period is the submission's month.
-- district_code is null on rows reported by a commune (from 2025-07).
with

grants as (

    select * from {{ ref('stg_grants') }}

),

current_submissions as (

    select * from {{ ref('int_counting_submissions') }}
    where sheet_kind = 'grants'

),

commune_map as (

    select * from {{ ref('stg_commune_map') }}

),

merged as (

    select
        current_submissions.district_code,
        current_submissions.unit_type,
        current_submissions.unit_code,
        current_submissions.recency,
        current_submissions.approval_status,
        grants.commune_code,
        current_submissions.period,
        grants.programme,
        grants.funding_source,
        grants.beneficiaries,
        grants.amount_vnd,
        grants.submission_id,
        grants.excel_row,
        commune_map.commune_key,
        grants.commune_list,
        commune_map.commune_2025_code,
        commune_map.commune_2025_mapping

    from grants
    inner join current_submissions
        on grants.submission_id = current_submissions.submission_id
    left join commune_map
        on grants.commune_list = commune_map.commune_list
        and grants.commune_code = commune_map.commune_code

),

-- a supplement's row replaces the month's row with the same key (distinct on: DuckDB and PostgreSQL)
final as (

    select distinct on (unit_type, unit_code, period, commune_list, commune_code, programme, funding_source)
        district_code,
        commune_code,
        period,
        programme,
        funding_source,
        beneficiaries,
        amount_vnd,
        submission_id,
        excel_row,
        commune_key,
        commune_list,
        commune_2025_code,
        commune_2025_mapping,
        approval_status

    from merged
    order by unit_type, unit_code, period, commune_list, commune_code, programme, funding_source, recency

)

select * from final
