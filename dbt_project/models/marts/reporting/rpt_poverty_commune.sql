-- Poverty on today's map (the 75 communes of 2025-07) per review year from 2021, for the report
-- and BI: name, counts, rate, rank in the year, the mapping of that year (old communes summed
-- into today's unit: exact or approximate), the standard, and whether the change against the
-- previous year compares like with like (false when either year is approximate, partial or
-- under another standard). From marts.agg_poverty_commune_year.
with

communes_years as (

    select * from {{ ref('agg_poverty_commune_year') }}

),

years as (

    select
        communes_years.*,
        (communes_years.communes_reported < communes_years.communes_expected or coalesce(communes_years.communes_partial, 0) > 0) as is_partial

    from communes_years

),

final as (

    select
        years.commune_2025_code,
        years.commune_2025_name,
        years.review_year,
        row_number() over (
            partition by years.review_year
            order by years.poverty_rate_pct desc nulls last, years.commune_2025_code
        ) as rank_in_year,
        years.total_households,
        years.poor_households,
        years.near_poor_households,
        years.poverty_rate_pct,
        years.change_pp,
        years.mapping,
        previous_year.mapping as previous_mapping,
        years.poverty_standard,
        {{ poverty_standard_label('years.poverty_standard', 'vi') }} as poverty_standard_label_vi,
        {{ poverty_standard_label('years.poverty_standard', 'en') }} as poverty_standard_label_en,
        years.comparable_with_previous,
        {{ change_like_for_like('years', 'previous_year', with_mapping=true) }} as change_like_for_like,
        years.communes_reported,
        years.communes_expected as communes_due,
        years.communes_partial,
        years.is_partial

    from years
    {{ poverty_standard_label_join('years.poverty_standard') }}
    left join years as previous_year
        on years.commune_2025_code = previous_year.commune_2025_code
        and years.review_year - 1 = previous_year.review_year

)

select * from final
order by commune_2025_code, review_year
