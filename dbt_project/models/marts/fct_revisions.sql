-- A headline figure whose value changed between two publishes (marts.fct_published_figures): what it was
-- and what it became, when it was first published (and at what value), when it was revised, its approval
-- status before and after (previous_approval_status = 'approved': an official figure revised), and the
-- submissions that caused it: those that began (caused_by) or stopped (replaced) counting at that publish
-- and carry rows of the figure's kind, unit and period (for houses, a case started or completed in it).
with

revisions as (

    select * from {{ ref('int_revisions') }}

),

causes as (

    select * from {{ ref('int_revision_causes') }}

),

submissions as (

    select * from {{ ref('stg_submissions') }}

),

causes_listed as (

    select
        causes.figure_key,
        causes.published_at,
        {{ dbt.listagg("case when causes.counted then causes.submission_id end", "','",
                       "order by case when causes.counted then causes.submission_id end") }}
            as caused_by_submission_ids,
        {{ dbt.listagg("case when causes.counted then submissions.file_name end", "', '",
                       "order by case when causes.counted then submissions.file_name end") }} as caused_by_files,
        {{ dbt.listagg("case when not causes.counted then causes.submission_id end", "','",
                       "order by case when not causes.counted then causes.submission_id end") }}
            as replaced_submission_ids,
        {{ dbt.listagg("case when not causes.counted then submissions.file_name end", "', '",
                       "order by case when not causes.counted then submissions.file_name end") }} as replaced_files

    from causes
    inner join submissions
        on causes.submission_id = submissions.submission_id
    group by causes.figure_key, causes.published_at

),

final as (

    select
        revisions.figure_key,
        revisions.figure,
        revisions.programme,
        revisions.period_type,
        revisions.period,
        revisions.review_year,
        revisions.unit_scope,
        revisions.previous_value,
        revisions.value as new_value,
        cast(revisions.value - revisions.previous_value as decimal(20, 2)) as change,
        revisions.previous_approval_status,
        revisions.approval_status as new_approval_status,
        revisions.first_published_at,
        revisions.first_published_value,
        revisions.previous_published_at,
        revisions.published_at as revised_at,
        causes_listed.caused_by_submission_ids,
        causes_listed.caused_by_files,
        causes_listed.replaced_submission_ids,
        causes_listed.replaced_files

    from revisions
    left join causes_listed
        on revisions.figure_key = causes_listed.figure_key
        and revisions.published_at = causes_listed.published_at

)

select * from final
order by revised_at, figure_key
