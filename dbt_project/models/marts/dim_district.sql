-- The 12 district-level units; name and type from the 2025 list.
with

admin_units as (

    select * from {{ ref('stg_admin_units') }}

),

districts_2025 as (

    select
        district_code,
        {{ dbt.any_value("district_name") }} as district_name,
        {{ dbt.any_value("district_name_ascii") }} as district_name_ascii,
        {{ dbt.any_value("district_type") }} as district_type,
        count(*) as communes_2025
    from admin_units
    where list_year = 2025
    group by district_code

),

districts_2024 as (

    select
        district_code,
        {{ dbt.any_value("district_name") }} as district_name_2024,
        {{ dbt.any_value("district_type") }} as district_type_2024,
        count(*) as communes_2024
    from admin_units
    where list_year = 2024
    group by district_code

),

final as (

    select
        districts_2025.district_code,
        districts_2025.district_name,
        districts_2025.district_name_ascii,
        districts_2025.district_type,
        districts_2024.district_name_2024,
        districts_2024.district_type_2024,
        coalesce(districts_2024.communes_2024, 0) as communes_2024,
        districts_2025.communes_2025

    from districts_2025
    left join districts_2024
        on districts_2025.district_code = districts_2024.district_code

)

select * from final
order by district_code
