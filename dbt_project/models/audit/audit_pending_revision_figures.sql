{{ config(alias='pending_revision_figures') }}

-- Each figure of a scope with a pending revision (audit.pending_revisions), before -> after: as it
-- counts now (what the province's approval pinned) and as it would if the province approved again.
with

figures as (

    select * from {{ ref('int_pending_revision_figures') }}

),

final as (

    select
        sheet_kind,
        scope,
        figure,
        programme,
        value_before,
        value_after,
        value_after - value_before as change

    from figures

)

select * from final
order by sheet_kind, scope, figure, programme
