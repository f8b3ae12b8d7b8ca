-- The rows of each scope with a pending revision, as they count now (side 'before': the submissions the
-- province's approval pinned) and as they would count if the province approved the month again (side
-- 'after': what the submission format's rules decide, pending files included), merged by key the way the
-- facts merge them (the latest counting submission's row wins). Houses and grants: the unit-month; poverty:
-- the commune and review year. Keys and figures only, no personal data.
with

counting as (

    select * from {{ ref('stg_counting') }}

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

pending_scopes as (

    select distinct sheet_kind, scope
    from counting
    where approval_status = 'approved' and counts <> counted

),

members as (

    select
        sides.side,
        counting.sheet_kind,
        counting.scope,
        counting.submission_id,
        counting.recency,
        counting.commune_list,
        counting.commune_code,
        counting.review_year

    from counting
    inner join pending_scopes
        on counting.sheet_kind = pending_scopes.sheet_kind
        and counting.scope = pending_scopes.scope
    inner join (select 'before' as side union all select 'after') as sides
        on (sides.side = 'before' and counting.counted) or (sides.side = 'after' and counting.counts)

),

keyed as (

    select
        members.side, members.sheet_kind, members.scope, members.recency, members.submission_id,
        houses.household_id as row_key,
        cast(null as varchar) as programme,
        case when houses.start_date is not null then 1 else 0 end as started,
        case when houses.status = 'completed' then 1 else 0 end as completed,
        case when houses.status = 'completed'
             then houses.central_budget_vnd + houses.local_budget_vnd + houses.social_contribution_vnd
             else 0 end as completed_vnd,
        0 as beneficiaries, 0 as amount_vnd, 0 as total_households, 0 as poor_households, 0 as near_poor_households,
        concat_ws('|', houses.commune_list, houses.commune_code, houses.category, houses.support_type, houses.status,
                  cast(houses.start_date as varchar), cast(houses.completion_date as varchar),
                  cast(houses.central_budget_vnd as varchar), cast(houses.local_budget_vnd as varchar),
                  cast(houses.social_contribution_vnd as varchar)) as signature

    from members
    inner join houses
        on members.submission_id = houses.submission_id
    where members.sheet_kind = 'houses'

    union all

    select
        members.side, members.sheet_kind, members.scope, members.recency, members.submission_id,
        concat_ws('/', coalesce(grants.commune_list, '-'), grants.commune_code, grants.programme,
                  grants.funding_source),
        grants.programme,
        0, 0, 0,
        grants.beneficiaries, grants.amount_vnd, 0, 0, 0,
        concat_ws('|', cast(grants.beneficiaries as varchar), cast(grants.amount_vnd as varchar))

    from members
    inner join grants
        on members.submission_id = grants.submission_id
    where members.sheet_kind = 'grants'

    union all

    select
        members.side, members.sheet_kind, members.scope, members.recency, members.submission_id,
        coalesce(poverty.village, ''),
        cast(null as varchar),
        0, 0, 0, 0, 0,
        poverty.total_households, poverty.poor_households, poverty.near_poor_households,
        concat_ws('|', cast(poverty.total_households as varchar), cast(poverty.poor_households as varchar),
                  cast(poverty.near_poor_households as varchar))

    from members
    inner join poverty
        on members.submission_id = poverty.submission_id
        and poverty.commune_list is not distinct from members.commune_list
        and poverty.commune_code = members.commune_code
        and poverty.review_year = members.review_year
    where members.sheet_kind = 'poverty'

),

-- one row per key and side: the latest counting submission's (distinct on: DuckDB and PostgreSQL)
final as (

    select distinct on (side, sheet_kind, scope, row_key) *
    from keyed
    order by side, sheet_kind, scope, row_key, recency

)

select * from final
