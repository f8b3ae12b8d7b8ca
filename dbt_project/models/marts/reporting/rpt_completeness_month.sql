-- Submission completeness per month, counted for the report and BI: how many reporting units
-- were due, and how many were on time, late, missing, had only rejected files, or were not due
-- yet (rpt_completeness). A month where a unit's valid report is missing has
-- units_without_report > 0: its houses and grants may be incomplete. units_approved and
-- units_pending: the province's sign-off (the rest are provisional).
with

completeness as (

    select * from {{ ref('rpt_completeness') }}

),

final as (

    select
        period,
        count(*) as units,
        count(case when state = 'on_time' then 1 end) as units_on_time,
        count(case when state = 'late' then 1 end) as units_late,
        count(case when state = 'missing' then 1 end) as units_missing,
        count(case when state = 'rejected_only' then 1 end) as units_rejected_only,
        count(case when state = 'not_due' then 1 end) as units_not_due,
        count(case when state in ('missing', 'rejected_only') then 1 end) as units_without_report,
        -- sign-off: approved (pending: approved, with files waiting for the province)
        count(case when approval_status = 'approved' then 1 end) as units_approved,
        count(case when approval_status = 'pending' then 1 end) as units_pending

    from completeness
    group by period

)

select * from final
order by period
