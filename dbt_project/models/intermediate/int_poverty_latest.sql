-- Per commune as reported (commune_list, commune_code) and review year, whatever month carries
-- it: the rows of the submissions that count for it (int_counting_submissions: the latest full
-- report carrying that commune and year, and the supplements after it), merged by village (the
-- latest wins; a whole-commune row is its own key). A commune may give its review per village
-- (Bản): its figures are then the sum of the villages. submission_id is the latest of them.
-- poverty_standard: the standard the workbook stated (Chuẩn nghèo), else the review year's default
-- (seed poverty_standards); 'mixed' when merged village rows stand on different ones.
with

poverty as (

    select * from {{ ref('stg_poverty') }}

),

counting as (

    select * from {{ ref('int_counting_submissions') }}
    where sheet_kind = 'poverty'

),

-- each row's standard: stated, else the review year's default
standards as (

    select
        poverty.*,
        coalesce(poverty.poverty_standard_stated, defaults.standard_id) as poverty_standard

    from poverty
    {{ default_poverty_standard_join('poverty.review_year', 'defaults') }}

),

joined as (

    select
        counting.district_code,
        counting.unit_type,
        counting.period,
        counting.version,
        counting.received_at,
        counting.file_mtime,
        counting.recency,
        counting.approval_status,
        poverty.*

    from standards as poverty
    inner join counting
        on poverty.submission_id = counting.submission_id
        and poverty.commune_list is not distinct from counting.commune_list
        and poverty.commune_code = counting.commune_code
        and poverty.review_year = counting.review_year

),

-- one row per village (or the whole commune) and year: the latest counting submission's (a village
-- is the same written in other case or with spaces around, as int_poverty_villages compares them)
merged as (

    select distinct on (commune_list, commune_code, review_year, lower(trim(coalesce(village, '')))) *
    from joined
    order by commune_list, commune_code, review_year, lower(trim(coalesce(village, ''))), recency

),

latest as (

    select distinct on (commune_list, commune_code, review_year)
        commune_list, commune_code, review_year,
        submission_id, district_code, unit_type, period, version, received_at, file_mtime, approval_status

    from merged
    order by commune_list, commune_code, review_year, recency

),

final as (

    select
        latest.district_code,
        latest.unit_type,
        latest.period,
        latest.version,
        latest.received_at,
        latest.file_mtime,
        latest.approval_status,
        latest.submission_id,
        latest.commune_list,
        latest.commune_code,
        latest.review_year,
        min(merged.excel_row) as excel_row,
        cast(sum(merged.total_households) as bigint) as total_households,
        cast(sum(merged.poor_households) as bigint) as poor_households,
        cast(sum(merged.near_poor_households) as bigint) as near_poor_households,
        cast(sum(merged.poor_ethnic_minority_households) as bigint) as poor_ethnic_minority_households,
        -- a rate as written only means something on a single row
        case when count(*) = 1 then {{ dbt.any_value('merged.poverty_rate_pct_written') }} end as poverty_rate_pct_written,
        count(merged.village) as village_rows,
        {{ unit_poverty_standard('merged.poverty_standard') }} as poverty_standard,
        case
            when bool_and(merged.poverty_standard_stated is not null) then 'stated'
            when bool_or(merged.poverty_standard_stated is not null) then 'mixed'
            else 'default'
        end as poverty_standard_source

    from latest
    inner join merged
        on latest.commune_list is not distinct from merged.commune_list
        and latest.commune_code = merged.commune_code
        and latest.review_year = merged.review_year
    group by
        latest.district_code, latest.unit_type, latest.period, latest.version, latest.received_at,
        latest.file_mtime, latest.approval_status, latest.submission_id, latest.commune_list, latest.commune_code, latest.review_year

)

select * from final
