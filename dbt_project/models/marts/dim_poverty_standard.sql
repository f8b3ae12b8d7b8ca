-- The national poverty standards (chuẩn nghèo), as the reference file gives them (seed
-- poverty_standards): which standard a review year is measured under, so a change is only
-- read across review years of one standard.
with

standards as (

    select * from {{ ref('poverty_standards') }}

),

final as (

    select
        standard_id,
        legal_basis,
        default_first_review_year,
        default_last_review_year,
        allowed_first_review_year,
        allowed_last_review_year,
        poor_income_rural_vnd,
        poor_income_urban_vnd,
        near_poor_income_rural_vnd,
        near_poor_income_urban_vnd,
        rule,
        verified,
        -- the act that sets it: the first the legal basis names (as pipeline/standards.py reads it)
        trim(split_part(split_part(legal_basis, ' (', 1), ';', 1)) as legal_act

    from standards

)

select * from final
order by default_first_review_year
