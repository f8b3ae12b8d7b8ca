-- A house case renumbered in its commune of today (the same Số CCCD under a new Mã hộ, found by the
-- ingest in the raw layer: raw.case_links, keys only) is one case: each later id maps to the id the
-- case was first reported under (a case renumbered twice follows both links).
with recursive

links as (

    select distinct commune_2025_code, household_id, other_household_id
    from {{ ref('stg_case_links') }}
    where link = 'continues'

),

chains (commune_2025_code, household_id, first_household_id, depth) as (

    select commune_2025_code, household_id, other_household_id, 1
    from links

    union all

    select chains.commune_2025_code, chains.household_id, links.other_household_id, chains.depth + 1
    from chains
    inner join links
        on links.commune_2025_code = chains.commune_2025_code
        and links.household_id = chains.first_household_id
    where chains.depth < 20

),

final as (

    select distinct on (commune_2025_code, household_id)
        commune_2025_code,
        household_id,
        first_household_id

    from chains
    order by commune_2025_code, household_id, depth desc, first_household_id

)

select * from final
