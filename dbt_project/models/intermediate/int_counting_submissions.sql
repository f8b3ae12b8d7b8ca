-- What counts today, per sheet kind: the submissions whose rows of a kind count, and for which
-- scope (houses and grants: the reporting unit and month; poverty: the commune as reported and
-- the review year, whatever month carries it). In each scope: the latest full report and every
-- supplement (Loại báo cáo = Bổ sung) after it; their rows merge by key, the latest wins
-- (pipeline/warehouse/supersession.py decides, after each batch of the ingest). Where the province
-- approved the scope, the submissions its approval pinned instead (pipeline/warehouse/approvals.py):
-- approval_status says which.
with

counting as (

    select * from {{ ref('stg_counting') }}

),

submissions as (

    select * from {{ ref('stg_submissions') }}

),

final as (

    select
        submissions.unit_type,
        submissions.unit_code,
        submissions.district_code,
        submissions.period,
        counting.sheet_kind,
        counting.submission_id,
        submissions.report_type,
        counting.is_anchor,
        counting.recency,
        counting.scope,
        counting.commune_list,
        counting.commune_code,
        counting.review_year,
        counting.approval_status,
        submissions.version,
        submissions.received_at,
        submissions.file_mtime,
        submissions.file_name

    from counting
    inner join submissions
        on counting.submission_id = submissions.submission_id
    where counting.counted

)

select * from final
