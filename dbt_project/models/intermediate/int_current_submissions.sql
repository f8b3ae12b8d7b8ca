-- Ledger rows whose data counts: accepted or accepted_with_errors.
-- Ingest marks replaced submissions 'superseded', so these are the current ones.
with

submissions as (

    select * from {{ ref('stg_submissions') }}

),

final as (

    select
        submission_id,
        file_name,
        unit_type,
        unit_code,
        district_code,
        period,
        version,
        received_at,
        file_mtime,
        status

    from submissions
    where status in ('accepted', 'accepted_with_errors')

)

select * from final
