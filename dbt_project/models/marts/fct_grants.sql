-- Grants paid, one row per commune x month x programme x funding source,
-- from the rows of current submissions; period is the submission's month.
with

grants as (

    select * from {{ ref('stg_grants') }}

),

current_submissions as (

    select * from {{ ref('int_current_submissions') }}

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
        grants.excel_row

    from grants
    inner join current_submissions
        on grants.submission_id = current_submissions.submission_id

)

select * from final
