-- Which reporting unit has reported which month, labelled for people: one row per unit in force
-- x month due (marts.agg_submission_completeness) with the unit's name and type, the state in
-- Vietnamese and English, how many days late, and, for the one submission that counts, its
-- preparation date (Ngày lập) and when it was first received (never one submission's date with
-- another's).
with

completeness as (

    select * from {{ ref('agg_submission_completeness') }}

),

units as (

    select * from {{ ref('dim_reporting_unit') }}

),

submissions as (

    select * from {{ ref('audit_submissions') }}

),

states as (

    select code, label_vi, label_en, sort_order
    from {{ ref('dim_enumeration') }}
    where domain = 'completeness_state'

),

final as (

    select
        completeness.unit_type,
        case completeness.unit_type
            when 'district' then 'Huyện, thị xã, thành phố'
            when 'commune' then 'Xã, phường'
        end as unit_type_label_vi,
        case completeness.unit_type
            when 'district' then 'district'
            when 'commune' then 'commune'
        end as unit_type_label_en,
        completeness.unit_code,
        units.unit_name,
        completeness.period,
        completeness.due_date,
        completeness.state,
        states.label_vi as state_label_vi,
        states.label_en as state_label_en,
        states.sort_order as state_order,
        cast(case
            when completeness.state in ('on_time', 'late')
                then greatest(0, {{ dbt.datediff('completeness.due_date', 'completeness.submitted_on', 'day') }})
            when completeness.state in ('missing', 'rejected_only')
                then greatest(0, {{ dbt.datediff('completeness.due_date', as_of_date(), 'day') }})
        end as integer) as days_late,
        completeness.submitted_on,
        completeness.submission_id,
        completeness.latest_status as submission_status,
        submissions.version,
        submissions.prepared_on,
        submissions.received_at,
        completeness.approval_status

    from completeness
    left join units
        on completeness.unit_type = units.unit_type
        and completeness.unit_code = units.unit_code
    left join states
        on completeness.state = states.code
    left join submissions
        on completeness.submission_id = submissions.submission_id

)

select * from final
order by unit_type desc, unit_code, period
