{{ config(alias='pending_revisions') }}

-- Submissions received for a month the province approved (for poverty: a commune's review year it
-- approved): loaded and validated, they keep their ledger status, but the marts keep the figures the
-- approval pinned until the province approves the month again. One row per pending submission and scope,
-- with what approving would change there (all the scope's pending submissions together): rows added,
-- removed and changed, and the figures before -> after (audit.pending_revision_figures has them one by one).
with

counting as (

    select * from {{ ref('stg_counting') }}

),

submissions as (

    select * from {{ ref('stg_submissions') }}

),

row_sets as (

    select * from {{ ref('int_pending_revision_rows') }}

),

figures as (

    select * from {{ ref('int_pending_revision_figures') }}

),

pending as (

    select * from counting
    where approval_status = 'approved' and counts and not counted

),

pinned as (

    select
        sheet_kind,
        scope,
        {{ dbt.listagg('submission_id', "','", 'order by submission_id') }} as pinned_submission_ids

    from counting
    where approval_status = 'approved' and counted
    group by sheet_kind, scope

),

before_rows as (

    select * from row_sets where side = 'before'

),

after_rows as (

    select * from row_sets where side = 'after'

),

row_changes as (

    select
        coalesce(before_rows.sheet_kind, after_rows.sheet_kind) as sheet_kind,
        coalesce(before_rows.scope, after_rows.scope) as scope,
        sum(case when before_rows.row_key is null then 1 else 0 end) as rows_added,
        sum(case when after_rows.row_key is null then 1 else 0 end) as rows_removed,
        sum(case when before_rows.row_key is not null and after_rows.row_key is not null
                      and before_rows.signature <> after_rows.signature then 1 else 0 end) as rows_changed

    from before_rows
    full outer join after_rows
        on before_rows.sheet_kind = after_rows.sheet_kind
        and before_rows.scope = after_rows.scope
        and before_rows.row_key = after_rows.row_key
    group by coalesce(before_rows.sheet_kind, after_rows.sheet_kind), coalesce(before_rows.scope, after_rows.scope)

),

figure_changes as (

    select
        sheet_kind,
        scope,
        {{ dbt.listagg(
            "figure || coalesce(' ' || programme, '') || ': ' || cast(value_before as varchar) || ' -> '"
            ~ " || cast(value_after as varchar)", "'; '", 'order by figure, programme') }} as figures_before_after

    from figures
    where value_before <> value_after
    group by sheet_kind, scope

),

final as (

    select
        submissions.unit_type,
        submissions.unit_code,
        submissions.period,
        pending.submission_id,
        submissions.file_name,
        submissions.version,
        submissions.prepared_on,
        submissions.received_at,
        pending.sheet_kind,
        pending.scope,
        pending.commune_list,
        pending.commune_code,
        pending.review_year,
        pinned.pinned_submission_ids,
        cast(coalesce(row_changes.rows_added, 0) as integer) as rows_added,
        cast(coalesce(row_changes.rows_removed, 0) as integer) as rows_removed,
        cast(coalesce(row_changes.rows_changed, 0) as integer) as rows_changed,
        figure_changes.figures_before_after

    from pending
    inner join submissions
        on pending.submission_id = submissions.submission_id
    left join pinned
        on pending.sheet_kind = pinned.sheet_kind
        and pending.scope = pinned.scope
    left join row_changes
        on pending.sheet_kind = row_changes.sheet_kind
        and pending.scope = row_changes.scope
    left join figure_changes
        on pending.sheet_kind = figure_changes.sheet_kind
        and pending.scope = figure_changes.scope

)

select * from final
order by period, unit_type, unit_code, sheet_kind, scope, submission_id
