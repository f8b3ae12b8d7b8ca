{{ config(alias='submissions') }}

-- The ledger as published: one row per file received.
with

submissions as (

    select * from {{ ref('stg_submissions') }}

),

final as (

    select
        submission_id,
        file_name,
        file_sha256,
        received_at,
        district_code,
        period,
        version,
        status,
        reason,
        rows_read,
        rows_loaded,
        rows_rejected,
        rows_skipped,
        warnings,
        file_size,
        file_mtime,
        outcome,
        district_name_written,
        prepared_on,
        unit_type,
        unit_code,
        unit_name_written,
        report_type,
        kinds_carried,
        kinds_counting

    from submissions

)

select * from final
order by received_at, file_name
