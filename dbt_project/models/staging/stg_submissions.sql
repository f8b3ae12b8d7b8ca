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

        -- cover sheet
        district_code,
        district_name_written,
        period,
        version,
        prepared_on,

        -- outcome
        outcome,
        status,
        reason,
        rows_read,
        rows_loaded,
        rows_rejected,
        rows_skipped,
        warnings

    from source

)

select * from renamed
