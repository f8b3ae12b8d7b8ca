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

    select commune_list, 'commune_list, seed_name or valid_from is null' as problem
    from lists
    where commune_list is null or seed_name is null or valid_from is null

    union all

    select commune_list, 'commune_list or seed_name used twice' as problem
    from (
        select
            commune_list,
            count(*) over (partition by commune_list) as lists_with_list,
            count(*) over (partition by seed_name) as lists_with_seed
        from lists
    ) as counted
    where lists_with_list > 1 or lists_with_seed > 1

    union all

    select commune_list, 'seed_name not read by stg_admin_units / stg_commune_map: ' || seed_name as problem
    from lists
    where seed_name not in ('admin_units_2024', 'admin_units_2025', 'communes_2025_07')

    union all

    select commune_list, 'valid_to before valid_from' as problem
    from lists
    where valid_to < valid_from

    union all

    select earlier.commune_list, 'in force on the same days as list ' || later.commune_list as problem
    from lists as earlier
    inner join lists as later
        on earlier.valid_from < later.valid_from
        and later.valid_from <= coalesce(earlier.valid_to, date '9999-12-31')
        and earlier.valid_from <= coalesce(later.valid_to, date '9999-12-31')

)

select * from problems
