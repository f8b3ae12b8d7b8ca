-- One row per commune per official list (2024: 204, 2025-02: 200, 2025-07: 75), keyed by
-- commune_key: a code alone is ambiguous (22 codes name two different communes across the
-- lists). Each row carries its unit of today's map and the mapping's quality.
with

commune_map as (

    select * from {{ ref('stg_commune_map') }}

),

final as (

    select
        commune_key,
        commune_list,
        commune_code,
        commune_name,
        commune_type,
        district_code,
        valid_from,
        valid_to,
        commune_2025_code,
        commune_2025_name,
        commune_2025_mapping,
        {{ ascii_name('commune_name') }} as commune_name_ascii

    from commune_map

)

select * from final
order by valid_from, commune_code
