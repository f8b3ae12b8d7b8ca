-- Both official commune lists, one row per (list_year, commune).
-- list 2024: in force 2020-01-01 .. 2024-12-31 (reporting months to 2024-12,
--            review years to 2024);
-- list 2025: in force from 2025-01-01 (Resolution 1280/NQ-UBTVQH15).
with

units_2024 as (

    select * from {{ ref('admin_units_2024') }}

),

units_2025 as (

    select * from {{ ref('admin_units_2025') }}

),

unioned as (

    select
        2024 as list_year,
        date '2020-01-01' as valid_from,
        date '2024-12-31' as valid_to,
        *
    from units_2024

    union all

    select
        2025 as list_year,
        date '2025-01-01' as valid_from,
        cast(null as date) as valid_to,
        *
    from units_2025

),

renamed as (

    select
        list_year,
        valid_from,
        valid_to,
        district_code,
        district_name_vi as district_name,
        district_name_ascii,
        district_type,
        commune_code,
        commune_name_vi as commune_name,
        commune_name_ascii,
        commune_type

    from unioned

)

select * from renamed
