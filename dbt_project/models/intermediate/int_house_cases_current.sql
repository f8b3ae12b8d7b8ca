-- Current state of each household case (district_code, household_id): the row
-- from the latest reporting month, then the highest version (Lần gửi), then
-- the latest arrival, then the latest file modification time, then the
-- highest submission_id and excel_row (a deterministic last resort): the var
-- submission_recency_order in dbt_project.yml, via submission_recency_order().
with

houses as (

    select * from {{ ref('stg_houses') }}

),

current_submissions as (

    select * from {{ ref('int_current_submissions') }}

),

joined as (

    select
        current_submissions.district_code,
        current_submissions.period,
        current_submissions.version,
        current_submissions.received_at,
        current_submissions.file_mtime,
        houses.*

    from houses
    inner join current_submissions
        on houses.submission_id = current_submissions.submission_id

),

ranked as (

    select
        *,
        row_number() over (
            partition by district_code, household_id
            order by {{ submission_recency_order() }}
        ) as recency_rank,
        count(*) over (
            partition by district_code, household_id
        ) as submissions_reporting,
        min(period) over (
            partition by district_code, household_id
        ) as first_reported_period

    from joined

),

final as (

    select * exclude (recency_rank)
    from ranked
    where recency_rank = 1

)

select * from final
