-- Per submission and data sheet, rows_skipped equals the rows listed in audit.skipped_rows.
-- Its asset check is on audit_submission_sheets (the counts it checks; meta.dagster.ref).
{{ config(meta={"dagster": {"ref": {"name": "audit_submission_sheets"}}}) }}
with

counted as (

    select submission_id, sheet_kind as sheet, count(*) as listed
    from {{ ref('audit_skipped_rows') }}
    group by 1, 2

)

select sheets.submission_id, sheets.sheet, sheets.rows_skipped, coalesce(counted.listed, 0) as listed
from {{ ref('audit_submission_sheets') }} as sheets
left join counted using (submission_id, sheet)
where sheets.rows_skipped <> coalesce(counted.listed, 0)

union all

select counted.submission_id, counted.sheet, null, counted.listed
from counted
left join {{ ref('audit_submission_sheets') }} as sheets using (submission_id, sheet)
where sheets.submission_id is null
