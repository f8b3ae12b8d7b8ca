-- Which villages each poverty figure stands on, per submission and commune-year it carries: the villages
-- of its rows that loaded (villages_reported), against those it should stand on (villages_expected): its
-- own village rows, loaded or rejected, together with those of the submission it replaces (the previous
-- accepted submission carrying that commune and year, superseded or not). A rejected row whose review
-- year could not be read counts for every year of its commune in that submission. Only rows naming a
-- village (Bản) count: a commune reported as one row has no villages, and is never partial.
with

poverty as (

    select * from {{ ref('stg_poverty') }}

),

rejected as (

    select * from {{ ref('stg_rejected_poverty_rows') }}

),

submissions as (

    select * from {{ ref('stg_submissions') }}
    where outcome in ('accepted', 'accepted_with_errors')

),

carried as (

    select distinct
        poverty.submission_id,
        poverty.commune_list,
        poverty.commune_code,
        poverty.review_year,
        submissions.period,
        submissions.version,
        submissions.received_at,
        submissions.file_mtime

    from poverty
    inner join submissions
        on poverty.submission_id = submissions.submission_id

),

ranked as (

    select
        *,
        row_number() over (
            partition by commune_list, commune_code, review_year
            order by {{ submission_recency_order(rows=false) }}
        ) as recency

    from carried

),

replaced as (

    select
        ranked.submission_id,
        ranked.commune_list,
        ranked.commune_code,
        ranked.review_year,
        earlier.submission_id as replaces_submission_id

    from ranked
    left join ranked as earlier
        on ranked.commune_list is not distinct from earlier.commune_list
        and ranked.commune_code = earlier.commune_code
        and ranked.review_year = earlier.review_year
        and earlier.recency = ranked.recency + 1

),

loaded_villages as (

    -- compared as written, case and spaces around aside
    select distinct submission_id, commune_list, commune_code, review_year, lower(trim(village)) as village
    from poverty
    where village is not null

),

rejected_villages as (

    select distinct
        carried.submission_id,
        carried.commune_list,
        carried.commune_code,
        carried.review_year,
        lower(trim(rejected.village)) as village

    from rejected
    inner join carried
        on rejected.submission_id = carried.submission_id
        and rejected.commune_code = carried.commune_code
        and (rejected.review_year is null
             or (rejected.review_year = carried.review_year
                 and rejected.commune_list is not distinct from carried.commune_list))
    where rejected.village is not null

),

expected as (

    select replaced.submission_id, replaced.commune_list, replaced.commune_code, replaced.review_year,
        own.village
    from replaced
    inner join loaded_villages as own
        on replaced.submission_id = own.submission_id
        and replaced.commune_list is not distinct from own.commune_list
        and replaced.commune_code = own.commune_code
        and replaced.review_year = own.review_year

    union

    select replaced.submission_id, replaced.commune_list, replaced.commune_code, replaced.review_year,
        rejected_villages.village
    from replaced
    inner join rejected_villages
        on replaced.submission_id = rejected_villages.submission_id
        and replaced.commune_list is not distinct from rejected_villages.commune_list
        and replaced.commune_code = rejected_villages.commune_code
        and replaced.review_year = rejected_villages.review_year

    union

    select replaced.submission_id, replaced.commune_list, replaced.commune_code, replaced.review_year,
        before.village
    from replaced
    inner join loaded_villages as before
        on replaced.replaces_submission_id = before.submission_id
        and replaced.commune_list is not distinct from before.commune_list
        and replaced.commune_code = before.commune_code
        and replaced.review_year = before.review_year

),

reported_counts as (

    select submission_id, commune_list, commune_code, review_year, count(*) as villages_reported
    from loaded_villages
    group by submission_id, commune_list, commune_code, review_year

),

expected_counts as (

    select submission_id, commune_list, commune_code, review_year, count(*) as villages_expected
    from expected
    group by submission_id, commune_list, commune_code, review_year

),

final as (

    select
        replaced.submission_id,
        replaced.commune_list,
        replaced.commune_code,
        replaced.review_year,
        replaced.replaces_submission_id,
        coalesce(reported_counts.villages_reported, 0) as villages_reported,
        coalesce(expected_counts.villages_expected, 0) as villages_expected

    from replaced
    left join reported_counts
        on replaced.submission_id = reported_counts.submission_id
        and replaced.commune_list is not distinct from reported_counts.commune_list
        and replaced.commune_code = reported_counts.commune_code
        and replaced.review_year = reported_counts.review_year
    left join expected_counts
        on replaced.submission_id = expected_counts.submission_id
        and replaced.commune_list is not distinct from expected_counts.commune_list
        and replaced.commune_code = expected_counts.commune_code
        and replaced.review_year = expected_counts.review_year

)

select * from final
