{{ config(alias='counting_submissions') }}

-- Which submissions count today, per sheet kind: houses and grants per reporting unit and month,
-- poverty per commune (as reported) and review year. One row per submission and scope.
with

counting as (

    select * from {{ ref('int_counting_submissions') }}

),

final as (

    select
        unit_type,
        unit_code,
        period,
        sheet_kind,
        submission_id,
        report_type,
        is_anchor,
        commune_list,
        commune_code,
        review_year,
        version,
        file_name

    from counting

)

select * from final
order by unit_type, unit_code, period, sheet_kind, commune_list, commune_code, review_year, submission_id
