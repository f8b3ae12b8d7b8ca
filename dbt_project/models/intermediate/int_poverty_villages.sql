-- Which villages each commune's figure for a review year stands on, for the figure that counts
-- (int_poverty_latest): what replaces what is decided once, by the ingest (raw.counting:
-- int_counting_submissions, stg_counting). The figure should stand on every village named in the
-- rows of the submissions that count for it (the latest full report and the supplements after it),
-- loaded or rejected, and, when it is summed from villages, on those that counted until its full
-- report replaced them (the previous full report and its supplements): villages_expected. A
-- village is reported when its latest row among the submissions that count loaded: a rejected row
-- leaves it unreported until a later row of it loads (villages_reported). A rejected row whose
-- review year could not be read counts for every year of its commune in that submission. Only rows
-- naming a village count, compared case and spaces around aside: a commune reported as one row has
-- no villages, and is never partial.
with

poverty as (

    select * from {{ ref('stg_poverty') }}

),

rejected as (

    select * from {{ ref('stg_rejected_poverty_rows') }}

),

counting as (

    select * from {{ ref('int_counting_submissions') }}
    where sheet_kind = 'poverty'

),

replaced as (

    select * from {{ ref('stg_counting') }}
    where sheet_kind = 'poverty' and is_replaced

),

-- the village rows of the submissions that count, loaded or rejected, with their recency (1: the latest)
counting_rows as (

    select counting.commune_list, counting.commune_code, counting.review_year, counting.recency,
        poverty.village, true as loaded
    from poverty
    inner join counting
        on poverty.submission_id = counting.submission_id
        and poverty.commune_list is not distinct from counting.commune_list
        and poverty.commune_code = counting.commune_code
        and poverty.review_year = counting.review_year

    union all

    select counting.commune_list, counting.commune_code, counting.review_year, counting.recency,
        rejected.village, false as loaded
    from rejected
    inner join counting
        on rejected.submission_id = counting.submission_id
        and rejected.commune_code = counting.commune_code
        and (rejected.review_year is null
             or (rejected.review_year = counting.review_year
                 and rejected.commune_list is not distinct from counting.commune_list))

),

figures as (

    select
        commune_list,
        commune_code,
        review_year,
        -- a whole-commune row in the figure: it replaces villages rather than standing on them
        bool_or(loaded and village is null) as has_commune_row

    from counting_rows
    group by commune_list, commune_code, review_year

),

-- each village's latest word among the submissions that count: loaded if a row of it loaded there
latest_words as (

    select commune_list, commune_code, review_year, lower(trim(village)) as village,
        bool_or(loaded) as loaded
    from (
        select
            counting_rows.*,
            min(recency) over (
                partition by commune_list, commune_code, review_year, lower(trim(village))
            ) as latest_recency

        from counting_rows
        where village is not null
    ) as words
    where recency = latest_recency
    group by commune_list, commune_code, review_year, lower(trim(village))

),

replaced_villages as (

    select distinct replaced.commune_list, replaced.commune_code, replaced.review_year,
        lower(trim(poverty.village)) as village
    from replaced
    inner join poverty
        on poverty.submission_id = replaced.submission_id
        and poverty.commune_list is not distinct from replaced.commune_list
        and poverty.commune_code = replaced.commune_code
        and poverty.review_year = replaced.review_year
    inner join figures
        on figures.commune_list is not distinct from replaced.commune_list
        and figures.commune_code = replaced.commune_code
        and figures.review_year = replaced.review_year
    where poverty.village is not null and not figures.has_commune_row

),

expected as (

    select commune_list, commune_code, review_year, village from latest_words
    union
    select commune_list, commune_code, review_year, village from replaced_villages

),

reported_counts as (

    select commune_list, commune_code, review_year, count(*) as villages_reported
    from latest_words
    where loaded
    group by commune_list, commune_code, review_year

),

expected_counts as (

    select commune_list, commune_code, review_year, count(*) as villages_expected
    from expected
    group by commune_list, commune_code, review_year

),

final as (

    select
        figures.commune_list,
        figures.commune_code,
        figures.review_year,
        coalesce(reported_counts.villages_reported, 0) as villages_reported,
        coalesce(expected_counts.villages_expected, 0) as villages_expected

    from figures
    left join reported_counts
        on figures.commune_list is not distinct from reported_counts.commune_list
        and figures.commune_code = reported_counts.commune_code
        and figures.review_year = reported_counts.review_year
    left join expected_counts
        on figures.commune_list is not distinct from expected_counts.commune_list
        and figures.commune_code = expected_counts.commune_code
        and figures.review_year = expected_counts.review_year

)

select * from final
