-- Per (commune_code, review_year): the figures from the latest current
-- submission that carries them (same ordering as the house cases).
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
        current_submissions.period,
        current_submissions.version,
        current_submissions.received_at,
        current_submissions.file_mtime,
        poverty.*

    from poverty
    inner join current_submissions
        on poverty.submission_id = current_submissions.submission_id

),

-- the first row per commune and year in recency order (distinct on: the same on DuckDB and PostgreSQL)
final as (

    select distinct on (commune_code, review_year) *
    from joined
    order by commune_code, review_year, {{ submission_recency_order() }}

)

select * from final
