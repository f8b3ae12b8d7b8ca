-- Two official commune lists in force on the same day would make "the list in force"
-- ambiguous (stg_admin_units, agg_poverty_*_year, pipeline/ingest/reference.py).
select
    earlier.list_year as list_year,
    later.list_year as overlapping_list_year

from {{ ref('admin_unit_lists') }} as earlier
inner join {{ ref('admin_unit_lists') }} as later
    on earlier.list_year < later.list_year
    and later.valid_from <= coalesce(earlier.valid_to, date '9999-12-31')
    and earlier.valid_from <= coalesce(later.valid_to, date '9999-12-31')
