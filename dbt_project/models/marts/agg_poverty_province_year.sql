-- Poverty for the whole province per review year: counts summed over the communes
-- that reported, rates from the summed counts (never averaged), change against the
-- previous review year, and every commune in force at year end (districts that sent
-- nothing that year included). The logic is shared with agg_poverty_district_year:
-- macros/poverty_by.sql.
{{ poverty_by([]) }}
