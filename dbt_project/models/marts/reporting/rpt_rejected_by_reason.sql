-- Rejected rows (and rejected files) by reason, in English and Vietnamese: how many rows, in how
-- many files (audit.rejected_rows).
with

rejected_rows as (

    select * from {{ ref('audit_rejected_rows') }}

),

final as (

    select
        reason,
        max(reason_vi) as reason_vi,
        count(*) as rows_rejected,
        count(distinct submission_id) as files

    from rejected_rows
    group by reason

)

select * from final
order by rows_rejected desc, reason
