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

counted as (

    select
        *,
        count(*) over (
            partition by district_code, household_id
        ) as submissions_reporting,
        min(period) over (
            partition by district_code, household_id
        ) as first_reported_period

    from joined

),

-- the first row of each case in recency order (distinct on: the same on DuckDB and PostgreSQL)
final as (

    select distinct on (district_code, household_id) *
    from counted
    order by district_code, household_id, {{ submission_recency_order() }}

)

select * from final
