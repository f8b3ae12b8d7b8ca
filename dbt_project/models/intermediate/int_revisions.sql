-- Each value change of a published headline figure between two publishes (marts.fct_published_figures),
-- with the figure's first publish and its previous one: what fct_revisions lists.
with

figures as (

    select * from {{ ref('fct_published_figures') }}

),

sequenced as (

    select
        figures.*,
        row_number() over (partition by figure_key order by published_at) as publish_number,
        lag(value) over (partition by figure_key order by published_at) as previous_value,
        lag(approval_status) over (partition by figure_key order by published_at) as previous_approval_status,
        lag(published_at) over (partition by figure_key order by published_at) as previous_published_at,
        first_value(published_at) over (
            partition by figure_key order by published_at
            rows between unbounded preceding and unbounded following
        ) as first_published_at,
        first_value(value) over (
            partition by figure_key order by published_at
            rows between unbounded preceding and unbounded following
        ) as first_published_value

    from figures

),

revisions as (

    select
        *,
        case
            when figure like 'houses%' then 'houses'
            when figure like 'grants%' then 'grants'
            else 'poverty'
        end as sheet_kind

    from sequenced
    where publish_number > 1 and value is distinct from previous_value

)

select * from revisions
