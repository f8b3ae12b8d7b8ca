{{ config(alias='crosswalk_gaps') }}

-- Old communes whose figures reach no unit of today's map (no main successor: the sources
-- name no destination for them, reporting-units-2025.md). Every such commune is listed, with
-- its poverty figures per review year where it has any (review_year null when none): they
-- count in the province's totals and in no commune's.
with

commune_map as (

    select * from {{ ref('stg_commune_map') }}
    where commune_2025_mapping = 'none'

),

poverty_rates as (

    select * from {{ ref('fct_poverty_rates') }}

),

final as (

    select
        commune_map.commune_list,
        commune_map.commune_code,
        commune_map.commune_name,
        poverty_rates.review_year,
        poverty_rates.total_households,
        poverty_rates.poor_households

    from commune_map
    left join poverty_rates
        on commune_map.commune_list = poverty_rates.commune_list
        and commune_map.commune_code = poverty_rates.commune_code

)

select * from final
order by commune_list, commune_code, review_year
