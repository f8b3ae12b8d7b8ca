{{ config(alias='replaced_rows') }}

-- Rows that counted until a replacement left them out (submission format: "a replacement that
-- drops rows"), as the clerk was told: keys only, never a name or an ID number.
with

replaced as (

    select * from {{ ref('stg_replaced_rows') }}

),

submissions as (

    select * from {{ ref('stg_submissions') }}

),

final as (

    select
        replacement.unit_type,
        replacement.unit_code,
        replaced_submission.period,
        replaced.sheet_kind,
        replaced.submission_id,
        replacement.file_name,
        replaced.replaced_submission_id,
        replaced_submission.file_name as replaced_file_name,
        replaced.excel_row as replaced_excel_row,
        replaced.household_id,
        replaced.commune_list,
        replaced.commune_code,
        replaced.programme,
        replaced.funding_source,
        replaced.review_year,
        replaced.village

    from replaced
    inner join submissions as replacement
        on replaced.submission_id = replacement.submission_id
    inner join submissions as replaced_submission
        on replaced.replaced_submission_id = replaced_submission.submission_id

)

select * from final
order by unit_type, unit_code, period, sheet_kind, submission_id, replaced_excel_row
