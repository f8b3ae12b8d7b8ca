-- The two official commune lists of the district era, one row per (commune_list, commune).
-- Which list is which and its days in force come from the seed admin_unit_lists (matched
-- on the seed's name), the same file the Python ingest reads (pipeline/ingest/reference.py):
-- list 2024:    in force 2020-01-01 .. 2025-01-31 (reporting months to 2025-01,
--               review years to 2024);
-- list 2025-02: in force 2025-02-01 .. 2025-06-30 (Resolution 1280/NQ-UBTVQH15).
-- The 75-list of 2025-07 has no districts: see stg_commune_map.
with

lists as (

    select * from {{ ref('admin_unit_lists') }}

),

units_2024 as (

    select * from {{ ref('admin_units_2024') }}

),

units_2025 as (

    select * from {{ ref('admin_units_2025') }}

),

unioned as (

    select 'admin_units_2024' as seed_name, * from units_2024

    union all

    select 'admin_units_2025' as seed_name, * from units_2025

),

renamed as (

    select
        lists.commune_list,
        lists.list_year,
        lists.valid_from,
        lists.valid_to,
        unioned.district_code,
        unioned.district_name_vi as district_name,
        unioned.district_name_ascii,
        unioned.district_type,
        unioned.commune_code,
        unioned.commune_name_vi as commune_name,
        unioned.commune_name_ascii,
        unioned.commune_type

    from unioned
    inner join lists
        on unioned.seed_name = lists.seed_name

)

select * from renamed
