with

source as (

    select * from {{ source('raw', 'submissions') }}

),

renamed as (

    select
        -- ids
        submission_id,
        file_name,
        file_sha256,

        -- file
        file_size,
        file_mtime,
        received_at,

        -- cover sheet: who reports (a district to 2025-06, a commune from 2025-07)
        coalesce(unit_type, case when district_code is not null then 'district' end) as unit_type,
        coalesce(unit_code, district_code) as unit_code,
        coalesce(unit_name_written, district_name_written) as unit_name_written,
        district_code,
        district_name_written,
        period,
        version,
        prepared_on,
        coalesce(report_type, 'full') as report_type,

        -- outcome
        outcome,
        status,
        reason,
        rows_read,
        rows_loaded,
        rows_rejected,
        rows_skipped,
        warnings,
        kinds_carried,
        kinds_counting

    from source

)

select * from renamed
