{{ config(alias='outliers') }}

-- Figures far from the unit's own history, for the province to check (they load; the clerk is warned).
-- Thresholds: the vars outlier_* and poverty_change_thresholds in dbt_project.yml, and only there.
--
-- Monthly (method modified_z_score): each monthly figure of a unit of today's map from the month the
-- communes began to report (int_unit_month_figures) against the same figure of the unit's previous
-- outlier_history_months months that reported it (at least outlier_min_history; before 2025-07 its
-- old communes through the crosswalk): score = 0.6745 · (value − median) / MAD, MAD the median absolute
-- deviation from the median; when MAD is 0, (value − median) / (1.2533 · MeanAD), MeanAD the mean
-- absolute deviation from the median (method modified_z_score_mean_ad); when that is 0 too, not
-- scored. Flagged when |score| > outlier_score_threshold. District months (to 2025-06) are history,
-- not scored.
--
-- Poverty (method change_vs_previous_review): a commune of today's households, poor and near-poor
-- households against its previous review year, flagged beyond the relative change of
-- poverty_change_thresholds; never across a change of poverty standard, and only like for like (both
-- years fully reported and, across the 2025 map change, exactly mapped); a previous count of 0 is
-- not scored.
with

figures as (

    select * from {{ ref('int_unit_month_figures') }}

),

counting as (

    select * from {{ ref('int_counting_submissions') }}

),

current_submissions as (

    select * from {{ ref('int_current_submissions') }}

),

poverty as (

    select * from {{ ref('agg_poverty_commune_year') }}

),

fct_poverty as (

    select * from {{ ref('fct_poverty_rates') }}

),

-- the communes report from the day the latest list (the 75 communes, no districts) came into force
commune_era as (

    select max(valid_from) as first_month, cast(extract(year from max(valid_from)) as integer) as first_review
    from {{ ref('admin_unit_lists') }}

),

scored_points as (

    select figures.*
    from figures
    cross join commune_era
    where figures.period >= commune_era.first_month

),

history as (

    select
        scored_points.unit_type,
        scored_points.unit_code,
        scored_points.period,
        scored_points.measure,
        scored_points.programme,
        scored_points.value,
        past.value as past_value

    from scored_points
    inner join figures as past
        on past.unit_type = scored_points.unit_type
        and past.unit_code = scored_points.unit_code
        and past.measure = scored_points.measure
        and past.period < scored_points.period
        and past.period >= cast(scored_points.period - interval '{{ var("outlier_history_months") }} months' as date)

),

medians as (

    select
        unit_type, unit_code, period, measure, programme, value,
        count(*) as history_months,
        percentile_cont(0.5) within group (order by past_value) as median

    from history
    group by unit_type, unit_code, period, measure, programme, value
    having count(*) >= {{ var("outlier_min_history") }}

),

deviations as (

    select
        medians.unit_type, medians.unit_code, medians.period, medians.measure, medians.programme,
        medians.value, medians.history_months, medians.median,
        percentile_cont(0.5) within group (order by abs(history.past_value - medians.median)) as mad,
        avg(abs(history.past_value - medians.median)) as mean_ad

    from medians
    inner join history
        on history.unit_type = medians.unit_type
        and history.unit_code = medians.unit_code
        and history.period = medians.period
        and history.measure = medians.measure
    group by medians.unit_type, medians.unit_code, medians.period, medians.measure, medians.programme,
             medians.value, medians.history_months, medians.median

),

monthly as (

    select
        deviations.*,
        case
            when mad > 0 then 0.6745 * (value - median) / mad
            when mean_ad > 0 then (value - median) / (1.2533 * mean_ad)
        end as score,
        case
            when mad > 0 then 'modified_z_score'
            when mean_ad > 0 then 'modified_z_score_mean_ad'
        end as method

    from deviations

),

-- the submission that carries a unit-month's figure: the latest whose rows of that kind count,
-- else the unit-month's latest current one (a month with nothing to report)
carriers as (

    select distinct on (unit_type, unit_code, period, sheet_kind)
        unit_type, unit_code, period, sheet_kind, submission_id

    from counting
    where sheet_kind in ('houses', 'grants')
    order by unit_type, unit_code, period, sheet_kind, recency

),

latest_current as (

    select distinct on (unit_type, unit_code, period)
        unit_type, unit_code, period, submission_id

    from current_submissions
    order by unit_type, unit_code, period, {{ submission_recency_order(rows=false) }}

),

monthly_flagged as (

    select
        monthly.unit_type,
        monthly.unit_code,
        monthly.period,
        cast(null as integer) as review_year,
        monthly.measure,
        monthly.programme,
        monthly.value,
        monthly.median,
        monthly.mad,
        monthly.mean_ad,
        monthly.history_months,
        cast(null as double precision) as previous_value,
        cast(null as double precision) as change_pct,
        monthly.score,
        monthly.method,
        coalesce(carriers.submission_id, latest_current.submission_id) as submission_id

    from monthly
    left join carriers
        on carriers.unit_type = monthly.unit_type
        and carriers.unit_code = monthly.unit_code
        and carriers.period = monthly.period
        and carriers.sheet_kind = case when monthly.measure like 'houses%' then 'houses' else 'grants' end
    left join latest_current
        on latest_current.unit_type = monthly.unit_type
        and latest_current.unit_code = monthly.unit_code
        and latest_current.period = monthly.period
    where abs(monthly.score) > {{ var("outlier_score_threshold") }}

),

-- poverty: each commune of today's review against its previous review
reviews as (

    select
        poverty.*,
        poverty.communes_reported = poverty.communes_expected as complete

    from poverty

),

review_counts as (

    {%- set thresholds = var("poverty_change_thresholds") %}
    {%- for measure in thresholds %}
    select commune_2025_code, review_year, comparable_with_previous, complete, mapping, '{{ measure }}' as measure,
           cast({{ measure }} as double precision) as value, {{ thresholds[measure] }} as threshold
    from reviews
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

changes as (

    select
        review_counts.*,
        previous.value as previous_value,
        (review_counts.value - previous.value) / previous.value as change

    from review_counts
    inner join review_counts as previous
        on previous.commune_2025_code = review_counts.commune_2025_code
        and previous.measure = review_counts.measure
        and previous.review_year = review_counts.review_year - 1
    cross join commune_era
    where review_counts.comparable_with_previous
        and review_counts.complete and previous.complete
        and (review_counts.review_year <> commune_era.first_review
             or (review_counts.mapping = 'exact' and previous.mapping = 'exact'))
        and previous.value > 0

),

-- the submission that carries the review (the latest of the contributing ones)
review_carriers as (

    select distinct on (commune_2025_code, review_year)
        commune_2025_code, review_year, submission_id

    from fct_poverty
    where commune_2025_code is not null
    order by commune_2025_code, review_year, reported_period desc, submission_id desc

),

poverty_flagged as (

    select
        'commune' as unit_type,
        changes.commune_2025_code as unit_code,
        cast(null as date) as period,
        changes.review_year,
        changes.measure,
        cast(null as varchar) as programme,
        changes.value,
        changes.previous_value as median,
        cast(null as double precision) as mad,
        cast(null as double precision) as mean_ad,
        cast(null as bigint) as history_months,
        changes.previous_value,
        cast(round(cast(100 * changes.change as numeric), 1) as double precision) as change_pct,
        changes.change as score,
        'change_vs_previous_review' as method,
        review_carriers.submission_id

    from changes
    left join review_carriers
        on review_carriers.commune_2025_code = changes.commune_2025_code
        and review_carriers.review_year = changes.review_year
    where abs(changes.change) > changes.threshold

),

final as (

    select * from monthly_flagged
    union all
    select * from poverty_flagged

)

select * from final
order by unit_type, unit_code, period, review_year, measure
