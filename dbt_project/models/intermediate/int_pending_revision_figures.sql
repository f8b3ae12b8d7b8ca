-- What approving a month again would change in each scope with a pending revision: its figures as they
-- count now (value_before: what the approval pinned) and as they would (value_after), per figure. Houses:
-- the cases the unit-month's report lists as started and completed, and the cost of those completed;
-- grants: beneficiaries and amount per programme; poverty: the commune's households at the review.
with

row_sets as (

    select * from {{ ref('int_pending_revision_rows') }}

),

values_by_side as (

    {%- set measures = [
        ('houses', 'houses_started', 'started'), ('houses', 'houses_completed', 'completed'),
        ('houses', 'houses_completed_vnd', 'completed_vnd'),
        ('grants', 'grants_beneficiaries', 'beneficiaries'), ('grants', 'grants_vnd', 'amount_vnd'),
        ('poverty', 'total_households', 'total_households'), ('poverty', 'poor_households', 'poor_households'),
        ('poverty', 'near_poor_households', 'near_poor_households'),
    ] %}
    {%- for sheet_kind, figure, column in measures %}
    select
        side,
        sheet_kind,
        scope,
        '{{ figure }}' as figure,
        programme,
        cast(sum({{ column }}) as bigint) as value

    from row_sets
    where sheet_kind = '{{ sheet_kind }}'
    group by side, sheet_kind, scope, programme
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}

),

before_values as (

    select * from values_by_side where side = 'before'

),

after_values as (

    select * from values_by_side where side = 'after'

),

final as (

    select
        coalesce(before_values.sheet_kind, after_values.sheet_kind) as sheet_kind,
        coalesce(before_values.scope, after_values.scope) as scope,
        coalesce(before_values.figure, after_values.figure) as figure,
        coalesce(before_values.programme, after_values.programme) as programme,
        coalesce(before_values.value, 0) as value_before,
        coalesce(after_values.value, 0) as value_after

    from before_values
    full outer join after_values
        on before_values.sheet_kind = after_values.sheet_kind
        and before_values.scope = after_values.scope
        and before_values.figure = after_values.figure
        and before_values.programme is not distinct from after_values.programme

)

select * from final
