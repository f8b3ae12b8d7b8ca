-- The seed admin_unit_lists decides which official commune list is in force on a day
-- (stg_admin_units, agg_poverty_*_year via poverty_by, pipeline/ingest/reference.py).
-- One row per problem: a missing key, a list or seed named twice, a seed stg_admin_units
-- does not union, days in force running backwards, or two lists in force on the same day
-- (which would make "the list in force" ambiguous). One test instead of seven: the build
-- stays fast.
with

lists as (

    select * from {{ ref('admin_unit_lists') }}

),

problems as (

    select list_year, 'list_year, seed_name or valid_from is null' as problem
    from lists
    where list_year is null or seed_name is null or valid_from is null

    union all

    select list_year, 'list_year or seed_name used twice' as problem
    from (
        select
            list_year,
            count(*) over (partition by list_year) as lists_with_year,
            count(*) over (partition by seed_name) as lists_with_seed
        from lists
    ) as counted
    where lists_with_year > 1 or lists_with_seed > 1

    union all

    select list_year, 'seed_name not unioned in stg_admin_units: ' || seed_name as problem
    from lists
    where seed_name not in ('admin_units_2024', 'admin_units_2025')

    union all

    select list_year, 'valid_to before valid_from' as problem
    from lists
    where valid_to < valid_from

    union all

    select earlier.list_year, 'in force on the same days as list ' || later.list_year as problem
    from lists as earlier
    inner join lists as later
        on earlier.list_year < later.list_year
        and later.valid_from <= coalesce(earlier.valid_to, date '9999-12-31')
        and earlier.valid_from <= coalesce(later.valid_to, date '9999-12-31')

)

select * from problems
