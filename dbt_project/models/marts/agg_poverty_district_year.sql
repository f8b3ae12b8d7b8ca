-- Poverty per district and review year: counts summed over the communes that
-- reported, rates from the summed counts (never averaged), change against the
-- previous review year, and how many of the district's communes were in force at
-- year end. The logic is shared with agg_poverty_province_year: macros/poverty_by.sql.
{{ poverty_by(['district_code']) }}
