-- Sign-off: one row per reporting unit x month the province ever approved (pipeline/warehouse/approvals.py
-- records the events, raw.approval_events). state: the latest event's (approved / unapproved);
-- approved_at, approved_by (an office), as_of and the submissions pinned per sheet kind: the latest
-- approval's (while unapproved, no longer in force); approval_status: approved, pending (files wait for
-- the province: audit.pending_revisions) or provisional (unapproved).
with

approvals as (

    select * from {{ ref('int_unit_month_approvals') }}

),

units as (

    select * from {{ ref('dim_reporting_unit') }}

),

final as (

    select
        approvals.unit_type,
        approvals.unit_code,
        units.unit_name,
        approvals.period,
        approvals.state,
        approvals.approved_at,
        approvals.approved_by,
        approvals.as_of,
        approvals.note,
        approvals.houses_submission_ids,
        approvals.grants_submission_ids,
        approvals.poverty_submission_ids,
        approvals.first_approved_at,
        cast(approvals.times_approved as integer) as times_approved,
        approvals.unapproved_at,
        approvals.unapproved_by,
        cast(approvals.pending_submissions as integer) as pending_submissions,
        approvals.approval_status

    from approvals
    left join units
        on approvals.unit_type = units.unit_type
        and approvals.unit_code = units.unit_code

)

select * from final
order by period, unit_type, unit_code
