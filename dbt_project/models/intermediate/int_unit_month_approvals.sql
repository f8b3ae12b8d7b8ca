-- Sign-off per reporting unit and month (pipeline/warehouse/approvals.py records the events): the
-- latest event says the state (approved / unapproved); the latest approve says when, by which office,
-- as of which day, and what it pinned per sheet kind; pending revisions are submissions that would
-- count in the month's scopes (houses, grants: the unit-month; poverty: the commune-years its approval
-- pinned) but wait for the province (raw.counting: counts, not counted). One row per unit-month that
-- was ever approved.
with

events as (

    select * from {{ ref('stg_approval_events') }}

),

pins as (

    select * from {{ ref('stg_approval_pins') }}

),

counting as (

    select * from {{ ref('stg_counting') }}

),

ranked as (

    select
        events.*,
        row_number() over (
            partition by unit_type, unit_code, period
            order by recorded_at desc, event_id desc
        ) as event_rank,
        row_number() over (
            partition by unit_type, unit_code, period, action
            order by recorded_at desc, event_id desc
        ) as action_rank

    from events

),

approvals as (

    select
        unit_type,
        unit_code,
        period,
        min(recorded_at) as first_approved_at,
        count(*) as times_approved

    from events
    where action = 'approve'
    group by unit_type, unit_code, period

),

latest as (

    select * from ranked where event_rank = 1

),

latest_approve as (

    select * from ranked where action = 'approve' and action_rank = 1

),

latest_unapprove as (

    select * from ranked where action = 'unapprove' and action_rank = 1

),

pinned as (

    select
        pins.event_id,
        {%- for kind in ['houses', 'grants', 'poverty'] %}
        {{ dbt.listagg("case when pins.sheet_kind = '" ~ kind ~ "' then pins.submission_id end", "','",
                       "order by case when pins.sheet_kind = '" ~ kind ~ "' then pins.submission_id end") }}
            as {{ kind }}_submission_ids,
        {%- endfor %}
        count(distinct case when pins.sheet_kind = 'poverty' then pins.scope end) as poverty_scopes

    from pins
    group by pins.event_id

),

-- the month's scopes under its latest approve: the unit-month, and the commune-years it pinned
scopes as (

    select
        latest_approve.event_id,
        sheet_kinds.sheet_kind,
        latest_approve.unit_type || '/' || latest_approve.unit_code || '/' || cast(latest_approve.period as varchar)
            as scope

    from latest_approve
    cross join (select 'houses' as sheet_kind union all select 'grants') as sheet_kinds

    union all

    select distinct
        pins.event_id,
        pins.sheet_kind,
        pins.scope

    from pins
    inner join latest_approve
        on pins.event_id = latest_approve.event_id
    where pins.sheet_kind = 'poverty'

),

pending as (

    select
        scopes.event_id,
        count(distinct counting.submission_id) as pending_submissions

    from scopes
    inner join counting
        on scopes.sheet_kind = counting.sheet_kind
        and scopes.scope = counting.scope
    where counting.approval_status = 'approved'
        and counting.counts
        and not counting.counted
    group by scopes.event_id

),

final as (

    select
        latest.unit_type,
        latest.unit_code,
        latest.period,
        case when latest.action = 'approve' then 'approved' else 'unapproved' end as state,
        latest_approve.recorded_at as approved_at,
        latest_approve.recorded_by as approved_by,
        latest_approve.as_of,
        latest_approve.note,
        pinned.houses_submission_ids,
        pinned.grants_submission_ids,
        pinned.poverty_submission_ids,
        approvals.first_approved_at,
        approvals.times_approved,
        latest_unapprove.recorded_at as unapproved_at,
        latest_unapprove.recorded_by as unapproved_by,
        case
            when latest.action = 'approve' then coalesce(pending.pending_submissions, 0)
            else 0
        end as pending_submissions,
        case
            when latest.action <> 'approve' then 'provisional'
            when coalesce(pending.pending_submissions, 0) > 0 then 'pending'
            else 'approved'
        end as approval_status

    from latest
    inner join approvals
        on latest.unit_type = approvals.unit_type
        and latest.unit_code = approvals.unit_code
        and latest.period = approvals.period
    inner join latest_approve
        on latest.unit_type = latest_approve.unit_type
        and latest.unit_code = latest_approve.unit_code
        and latest.period = latest_approve.period
    left join latest_unapprove
        on latest.unit_type = latest_unapprove.unit_type
        and latest.unit_code = latest_unapprove.unit_code
        and latest.period = latest_unapprove.period
    left join pinned
        on latest_approve.event_id = pinned.event_id
    left join pending
        on latest_approve.event_id = pending.event_id

)

select * from final
