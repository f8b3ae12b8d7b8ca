-- The 75 communes of today's map (in force from 2025-07-01): the units every figure is also
-- told on (commune_2025_code in the facts, agg_poverty_commune_year).
with

communes as (

    select * from {{ ref('stg_commune_map') }}
    where commune_list = '2025-07'

),

final as (

    select
        commune_code as commune_2025_code,
        commune_name as commune_2025_name,
        commune_type

    from communes

)

select * from final
order by commune_2025_code
