-- Per commune as reported (commune_list, commune_code) and review year: the figures of the
-- latest current submission that carries them (same ordering as the house cases). A commune
-- may give its review per village (Bản): its figures are then the sum of that submission's
-- village rows (never mixed with other submissions' rows).
with

poverty as (

    select * from {{ ref('stg_poverty') }}

),

current_submissions as (

    select * from {{ ref('int_current_submissions') }}

),

joined as (

    select
        current_submissions.district_code,
        current_submissions.unit_type,
        current_submissions.period,
        current_submissions.version,
        current_submissions.received_at,
        current_submissions.file_mtime,
        poverty.*

    from poverty
    inner join current_submissions
        on poverty.submission_id = current_submissions.submission_id

),

candidates as (

    select distinct
        commune_list, commune_code, review_year,
        submission_id, district_code, unit_type, period, version, received_at, file_mtime

    from joined

),

-- the latest submission per commune and year (distinct on: the same on DuckDB and PostgreSQL)
chosen as (

    select distinct on (commune_list, commune_code, review_year) *
    from candidates
    order by commune_list, commune_code, review_year, {{ submission_recency_order(rows=false) }}

),

final as (

    select
        chosen.district_code,
        chosen.unit_type,
        chosen.period,
        chosen.version,
        chosen.received_at,
        chosen.file_mtime,
        chosen.submission_id,
        chosen.commune_list,
        chosen.commune_code,
        chosen.review_year,
        min(joined.excel_row) as excel_row,
        cast(sum(joined.total_households) as bigint) as total_households,
        cast(sum(joined.poor_households) as bigint) as poor_households,
        cast(sum(joined.near_poor_households) as bigint) as near_poor_households,
        cast(sum(joined.poor_ethnic_minority_households) as bigint) as poor_ethnic_minority_households,
        -- a rate as written only means something on a single row
        case when count(*) = 1 then {{ dbt.any_value('joined.poverty_rate_pct_written') }} end as poverty_rate_pct_written,
        count(joined.village) as village_rows

    from chosen
    inner join joined
        on chosen.submission_id = joined.submission_id
        and chosen.commune_list is not distinct from joined.commune_list
        and chosen.commune_code is not distinct from joined.commune_code
        and chosen.review_year = joined.review_year
    group by
        chosen.district_code, chosen.unit_type, chosen.period, chosen.version, chosen.received_at,
        chosen.file_mtime, chosen.submission_id, chosen.commune_list, chosen.commune_code, chosen.review_year

)

select * from final
