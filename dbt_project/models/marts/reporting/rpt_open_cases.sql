-- Every open house case (not completed, in its current state), for BI: today's commune and its name, status and support labelled, the month it was
-- last listed, and whether the latest accepted houses report of the unit that should list it
-- re-listed it. That unit is the one that last listed the case while it is still in force at the
-- latest month reported; a district's cases pass to their commune of today's map after 2025-06.
-- A case that report did not list (or a report without a houses sheet) keeps the state of its
-- last report: confirmed_in_latest_report = false.
with

houses as (

    select * from {{ ref('fct_houses') }}
    where status <> 'completed'

),

submissions as (

    select * from {{ ref('audit_submissions') }}

),

units as (

    select * from {{ ref('dim_reporting_unit') }}

),

communes as (

    select * from {{ ref('dim_commune_2025') }}

),

periods as (

    select * from {{ ref('rpt_reporting_period') }}

),

labels as (

    select * from {{ ref('dim_enumeration') }}

),

-- the latest month each unit sent an accepted report (a report without a houses sheet lists no case)
latest_reports as (

    select
        unit_type,
        unit_code,
        max(period) as latest_report_period

    from submissions
    where status in ('accepted', 'accepted_with_errors')
    group by unit_type, unit_code

),

responsible as (

    select
        houses.*,
        case
            when last_unit.valid_to is null or last_unit.valid_to >= periods.latest_month then submissions.unit_type
            when houses.commune_2025_code is not null then 'commune'
        end as reporting_unit_type,
        case
            when last_unit.valid_to is null or last_unit.valid_to >= periods.latest_month then submissions.unit_code
            else houses.commune_2025_code
        end as reporting_unit_code

    from houses
    cross join periods
    left join submissions
        on houses.submission_id = submissions.submission_id
    left join units as last_unit
        on submissions.unit_type = last_unit.unit_type
        and submissions.unit_code = last_unit.unit_code

),

final as (

    select
        responsible.case_key,
        responsible.household_id,
        responsible.commune_2025_code,
        communes.commune_2025_name,
        responsible.commune_code,
        responsible.commune_list,
        responsible.district_code,
        responsible.status,
        status_labels.label_vi as status_label_vi,
        status_labels.label_en as status_label_en,
        responsible.support_type,
        support_labels.label_vi as support_type_label_vi,
        support_labels.label_en as support_type_label_en,
        responsible.category,
        category_labels.label_vi as category_label_vi,
        category_labels.label_en as category_label_en,
        responsible.start_date,
        responsible.total_vnd,
        responsible.reported_period as last_seen_period,
        responsible.submission_id as last_seen_submission_id,
        responsible.reporting_unit_type,
        responsible.reporting_unit_code,
        reporting_unit.unit_name as reporting_unit_name,
        latest_reports.latest_report_period,
        coalesce(responsible.reported_period >= latest_reports.latest_report_period, false)
            as confirmed_in_latest_report

    from responsible
    left join communes
        on responsible.commune_2025_code = communes.commune_2025_code
    left join units as reporting_unit
        on responsible.reporting_unit_type = reporting_unit.unit_type
        and responsible.reporting_unit_code = reporting_unit.unit_code
    left join latest_reports
        on responsible.reporting_unit_type = latest_reports.unit_type
        and responsible.reporting_unit_code = latest_reports.unit_code
    left join labels as status_labels
        on status_labels.domain = 'house_status' and responsible.status = status_labels.code
    left join labels as support_labels
        on support_labels.domain = 'support_type' and responsible.support_type = support_labels.code
    left join labels as category_labels
        on category_labels.domain = 'category' and responsible.category = category_labels.code

)

select * from final
order by commune_2025_code nulls last, household_id, case_key
