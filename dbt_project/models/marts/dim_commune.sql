-- Every commune of either list (2024: 204, 2025: 200, together 207).
-- Name and type are the newest ones (2025 list, else 2024 list).
with

admin_units as (

    select * from {{ ref('stg_admin_units') }}

),

list_2024 as (

    select * from admin_units
    where list_year = 2024

),

list_2025 as (

    select * from admin_units
    where list_year = 2025

),

joined as (

    select
        coalesce(list_2025.commune_code, list_2024.commune_code) as commune_code,
        coalesce(list_2025.commune_name, list_2024.commune_name) as commune_name,
        coalesce(list_2025.commune_name_ascii, list_2024.commune_name_ascii) as commune_name_ascii,
        coalesce(list_2025.commune_type, list_2024.commune_type) as commune_type,
        coalesce(list_2025.district_code, list_2024.district_code) as district_code,

        list_2024.commune_code is not null as in_list_2024,
        list_2025.commune_code is not null as in_list_2025,

        list_2024.commune_name as commune_name_2024,
        list_2024.commune_type as commune_type_2024,
        list_2025.commune_name as commune_name_2025,
        list_2025.commune_type as commune_type_2025,

        case
            when list_2024.commune_code is not null then list_2024.valid_from
            else list_2025.valid_from
        end as valid_from,
        case
            when list_2025.commune_code is not null then list_2025.valid_to
            else list_2024.valid_to
        end as valid_to

    from list_2024
    full outer join list_2025
        on list_2024.commune_code = list_2025.commune_code

),

final as (

    select * from joined

)

select * from final
order by commune_code
