-- Rejected rows (and rejected files) by the reporting unit that sent them (a district up to
-- 2025-06, a commune from 2025-07), with its name; unit_code is null for files whose cover
-- could not be read.
with

rejected_rows as (

    select * from {{ ref('audit_rejected_rows') }}

),

submissions as (

    select * from {{ ref('audit_submissions') }}

),

units as (

    select * from {{ ref('dim_reporting_unit') }}

),

rejected_by_submission as (

    select
        submissions.unit_type,
        submissions.unit_code,
        rejected_rows.submission_id

    from rejected_rows
    left join submissions
        on rejected_rows.submission_id = submissions.submission_id

),

final as (

    select
        rejected_by_submission.unit_type,
        rejected_by_submission.unit_code,
        units.unit_name,
        count(*) as rows_rejected,
        count(distinct rejected_by_submission.submission_id) as files

    from rejected_by_submission
    left join units
        on rejected_by_submission.unit_type = units.unit_type
        and rejected_by_submission.unit_code = units.unit_code
    group by rejected_by_submission.unit_type, rejected_by_submission.unit_code, units.unit_name

)

select * from final
order by rows_rejected desc, unit_code nulls last
