-- The submissions behind each revision (intermediate int_revisions): those whose counting changed at the
-- publish that revised the figure (counted: began counting; else stopped) and that carry rows of the
-- figure's kind, unit of today's map (any, for the province) and period (houses: a case started or
-- completed in it; grants: the month and programme; poverty: the review year).
with

revisions as (

    select * from {{ ref('int_revisions') }}

),

changes as (

    select * from {{ ref('int_counting_changes') }}

),

houses as (

    select * from {{ ref('stg_houses') }}

),

grants as (

    select * from {{ ref('stg_grants') }}

),

poverty as (

    select * from {{ ref('stg_poverty') }}

),

submissions as (

    select * from {{ ref('stg_submissions') }}

),

commune_map as (

    select * from {{ ref('stg_commune_map') }}

),

-- the submissions whose counting changed at a publish that revised something, with where their rows fall
changed as (

    select distinct changes.published_at, changes.sheet_kind, changes.scope, changes.submission_id, changes.counted
    from changes
    inner join (select distinct published_at from revisions) as revised
        on changes.published_at = revised.published_at

),

footprints as (

    select
        changed.published_at, changed.submission_id, changed.counted, 'houses' as sheet_kind,
        commune_map.commune_2025_code, cast(null as varchar) as programme,
        cast({{ dbt.date_trunc('month', 'houses.start_date') }} as date) as period, cast(null as integer) as review_year
    from changed
    inner join houses on changed.submission_id = houses.submission_id
    left join commune_map
        on houses.commune_list = commune_map.commune_list and houses.commune_code = commune_map.commune_code
    where changed.sheet_kind = 'houses' and houses.start_date is not null

    union all

    select
        changed.published_at, changed.submission_id, changed.counted, 'houses', commune_map.commune_2025_code, null,
        cast({{ dbt.date_trunc('month', 'houses.completion_date') }} as date), null
    from changed
    inner join houses on changed.submission_id = houses.submission_id
    left join commune_map
        on houses.commune_list = commune_map.commune_list and houses.commune_code = commune_map.commune_code
    where changed.sheet_kind = 'houses' and houses.completion_date is not null

    union all

    select
        changed.published_at, changed.submission_id, changed.counted, 'grants', commune_map.commune_2025_code,
        grants.programme, submissions.period, null
    from changed
    inner join grants on changed.submission_id = grants.submission_id
    inner join submissions on changed.submission_id = submissions.submission_id
    left join commune_map
        on grants.commune_list = commune_map.commune_list and grants.commune_code = commune_map.commune_code
    where changed.sheet_kind = 'grants'

    union all

    select
        changed.published_at, changed.submission_id, changed.counted, 'poverty', commune_map.commune_2025_code, null,
        null, poverty.review_year
    from changed
    inner join poverty on changed.submission_id = poverty.submission_id
    left join commune_map
        on poverty.commune_list = commune_map.commune_list and poverty.commune_code = commune_map.commune_code
    where changed.sheet_kind = 'poverty'

),

causes as (

    select distinct
        revisions.figure_key,
        revisions.published_at,
        footprints.submission_id,
        footprints.counted

    from revisions
    inner join footprints
        on revisions.published_at = footprints.published_at
        and revisions.sheet_kind = footprints.sheet_kind
        and (revisions.unit_scope = 'province' or revisions.unit_scope = footprints.commune_2025_code)
        and (revisions.programme is null or revisions.programme = footprints.programme)
        and (
            (revisions.period_type = 'month' and revisions.period = footprints.period)
            or (revisions.period_type = 'year'
                and extract(year from revisions.period) = extract(year from footprints.period))
            or (revisions.period_type = 'review_year' and revisions.review_year = footprints.review_year)
        )

)

select * from causes
