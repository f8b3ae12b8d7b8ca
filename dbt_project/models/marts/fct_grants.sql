-- Grants paid, one row per commune x month x programme x funding source,
-- from the rows of current submissions; period is the submission's month. district_code is
-- null on rows reported by a commune (from 2025-07).
with

grants as (

    select * from {{ ref('stg_grants') }}

),

current_submissions as (

    select * from {{ ref('int_current_submissions') }}

),

commune_map as (

    select * from {{ ref('stg_commune_map') }}

),

final as (

    select
        current_submissions.district_code,
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

)

select * from final
