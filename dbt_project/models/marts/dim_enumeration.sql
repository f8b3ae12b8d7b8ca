-- Every enumerated code the marts and audit tables store, with its Vietnamese and English
-- labels, so BI tools can label codes (join on domain and code). From the seed
-- enumerations, which tools/export_seeds.py writes from pipeline/enumerations.py.
with

enumerations as (

    select * from {{ ref('enumerations') }}

),

final as (

    select
        domain,
        code,
        label_vi,
        label_en,
        sort_order

    from enumerations

)

select * from final
order by domain, sort_order
