-- Every unit that ever reported or was due: the 12 districts (every month up to 2025-06)
-- and the 75 communes (from 2025-07). District 123 (Huyện, then Thị xã Mộc Châu) is one row
-- with its latest name.
with

district_era as (

    select * from {{ ref('stg_admin_units') }}

),

communes_2025 as (

    select * from {{ ref('stg_commune_map') }}
    where commune_list = '2025-07'

),

districts as (

    select
        'district' as unit_type,
        district_code as unit_code,
        {{ value_at_max('district_name', 'valid_from') }} as unit_name,
        min(valid_from) as valid_from,
        max(valid_to) as valid_to

    from district_era
    group by district_code

),

communes as (

    select
        'commune' as unit_type,
        commune_code as unit_code,
        commune_name as unit_name,
        valid_from,
        valid_to

    from communes_2025

),

final as (

    select * from districts
    union all
    select * from communes

)

select * from final
order by unit_type desc, unit_code
