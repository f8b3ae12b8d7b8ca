-- The report's headline figures, one row per figure with its period, labelled in Vietnamese and
-- English: houses replaced and their cost in the programme's years and in the full calendar years
-- reported so far, cases started in the programme's quarter and in the year to date (with what
-- they have become), grants in the year to date per programme (every programme, 0 when none),
-- and the province's poverty rate at the latest review with its change and the average change a
-- year within one poverty standard (poverty_standard says which). Periods come from the data
-- (rpt_reporting_period) and from the vars headline_programme_years / headline_programme_quarter
-- (dbt_project.yml).
{%- set programme_years = var('headline_programme_years') %}
{%- set programme_quarter = var('headline_programme_quarter') %}
{%- set published_years = var('headline_published_years') %}
with

periods as (

    select * from {{ ref('rpt_reporting_period') }}

),

houses as (

    select * from {{ ref('rpt_houses_month') }}
    where unit_level = 'province'

),

grants as (

    select * from {{ ref('rpt_grants_month') }}
    where unit_level = 'province'

),

poverty as (

    select * from {{ ref('rpt_poverty_province') }}

),

programmes as (

    select
        programmes.code as programme,
        programmes.label_vi as programme_label_vi,
        programmes.label_en as programme_label_en,
        programmes.sort_order as programme_order,
        beneficiary_units.beneficiary_unit

    from {{ ref('dim_enumeration') }} as programmes
    left join {{ ref('programme_beneficiary_units') }} as beneficiary_units
        on programmes.code = beneficiary_units.programme
    where programmes.domain = 'programme'

),

-- the periods the houses figures are told for (whole months)
windows as (

    select
        'programme_years' as window_name,
        make_date({{ programme_years[0] }}, 1, 1) as period_from,
        make_date({{ programme_years[1] }}, 12, 31) as period_to
    union all
    -- the years of the province's published totals (Báo Sơn La, late 2025: 2020–2025)
    select
        'published_years',
        make_date({{ published_years[0] }}, 1, 1),
        make_date({{ published_years[1] }}, 12, 31)
    union all
    select
        'programme_quarter',
        cast('{{ programme_quarter[0] }}' as date),
        cast('{{ programme_quarter[1] }}' as date)
    union all
    -- from the first year a house was completed to the last full calendar year reported
    select
        'full_years',
        (
            select make_date(min(houses.year), 1, 1)
            from houses
            where houses.houses_completed > 0 and houses.year <= periods.last_full_year
        ),
        make_date(periods.last_full_year, 12, 31)
    from periods
    union all
    select 'year_to_date', periods.year_to_date_from, periods.year_to_date_to
    from periods

),

houses_in_windows as (

    select
        windows.window_name,
        windows.period_from,
        windows.period_to,
        {{ house_measures('houses') }}

    from windows
    left join houses
        on houses.period between windows.period_from and windows.period_to
    group by windows.window_name, windows.period_from, windows.period_to

),

grants_year_to_date as (

    select
        periods.year_to_date_from as period_from,
        periods.year_to_date_to as period_to,
        programmes.programme,
        programmes.programme_label_vi,
        programmes.programme_label_en,
        programmes.programme_order,
        programmes.beneficiary_unit,
        cast(coalesce(sum(grants.beneficiaries), 0) as bigint) as beneficiaries,
        cast(coalesce(sum(grants.amount_vnd), 0) as bigint) as amount_vnd

    from periods
    cross join programmes
    left join grants
        on grants.programme = programmes.programme
        and grants.period between periods.year_to_date_from and periods.year_to_date_to
    where periods.latest_month is not null
    group by
        periods.year_to_date_from, periods.year_to_date_to, programmes.programme, programmes.programme_label_vi,
        programmes.programme_label_en, programmes.programme_order, programmes.beneficiary_unit

),

latest_review as (

    select * from poverty
    where review_year = (select max(review_year) from poverty)

),

-- the average change a year is taken within one poverty standard only (change_pp is null across a
-- change of standard): the standard of the latest year-on-year change, from the year before its first
-- change (the base) to its last; like for like only when every change is and no year is missing
average_standard as (

    select poverty_standard
    from poverty
    where change_pp is not null
    order by review_year desc
    limit 1

),

average_change as (

    select
        min(poverty.review_year) - 1 as changes_from,
        max(poverty.review_year) as changes_to,
        min(poverty.poverty_standard) as poverty_standard,
        {{ average_pp('poverty.change_pp') }} as average_change_pp,
        bool_and(coalesce(poverty.change_like_for_like, false))
            and count(*) = max(poverty.review_year) - min(poverty.review_year) + 1 as like_for_like

    from poverty
    inner join average_standard
        on poverty.poverty_standard = average_standard.poverty_standard
    where poverty.change_pp is not null

),

-- what a value counts, in words: the beneficiary units of the seed, and the others
value_units as (

    select distinct
        beneficiary_unit as value_unit,
        beneficiary_unit_label_vi as label_vi,
        beneficiary_unit_label_en as label_en

    from {{ ref('programme_beneficiary_units') }}
    {%- for unit, label_vi, label_en in [
        ('houses', 'nhà', 'houses'), ('vnd', 'đồng', 'VND'), ('percent', '%', '%'),
        ('percentage_points', 'điểm phần trăm', 'percentage points'), ('communes', 'xã', 'communes')] %}
    union all
    select '{{ unit }}', '{{ label_vi }}', '{{ label_en }}'
    {%- endfor %}

),

houses_figures as (

    {%- set house_figures = [
        ('programme_years', 'programme_houses_completed', 'houses_completed', 'houses',
         'Nhà tạm, dột nát đã xóa (giai đoạn của chương trình)', 'Temporary and dilapidated houses replaced (programme years)'),
        ('programme_years', 'programme_houses_completed_vnd', 'completed_vnd', 'vnd',
         'Kinh phí nhà đã xóa (giai đoạn của chương trình)', 'Cost of the houses replaced (programme years)'),
        ('published_years', 'published_houses_completed', 'houses_completed', 'houses',
         'Nhà tạm, dột nát đã xóa (giai đoạn tỉnh công bố)', 'Temporary and dilapidated houses replaced (published years)'),
        ('published_years', 'published_houses_completed_vnd', 'completed_vnd', 'vnd',
         'Kinh phí nhà đã xóa (giai đoạn tỉnh công bố)', 'Cost of the houses replaced (published years)'),
        ('published_years', 'published_houses_completed_social_vnd', 'completed_social_vnd', 'vnd',
         'Trong đó xã hội hóa', 'of which social contributions'),
        ('published_years', 'published_houses_completed_state_vnd', 'completed_central_vnd + completed_local_vnd', 'vnd',
         'Trong đó ngân sách nhà nước', 'of which state budget (central and local)'),
        ('published_years', 'published_houses_completed_central_vnd', 'completed_central_vnd', 'vnd',
         'Ngân sách trung ương', 'state budget: central'),
        ('published_years', 'published_houses_completed_local_vnd', 'completed_local_vnd', 'vnd',
         'Ngân sách địa phương', 'state budget: local'),
        ('programme_quarter', 'programme_houses_started', 'houses_started', 'households',
         'Hộ được hỗ trợ khởi công (quý của chương trình)', 'Cases started (programme quarter)'),
        ('programme_quarter', 'programme_houses_started_completed', 'started_now_completed', 'households',
         'Trong đó nay đã hoàn thành', 'of which completed since'),
        ('full_years', 'houses_completed', 'houses_completed', 'houses',
         'Nhà tạm, dột nát đã xóa (các năm đủ 12 tháng)', 'Temporary and dilapidated houses replaced (full years)'),
        ('full_years', 'houses_completed_vnd', 'completed_vnd', 'vnd',
         'Tổng kinh phí nhà đã xóa (các năm đủ 12 tháng)', 'Total cost of the houses replaced (full years)'),
        ('year_to_date', 'houses_started', 'houses_started', 'households',
         'Hộ được hỗ trợ khởi công từ đầu năm', 'Cases started, year to date'),
        ('year_to_date', 'houses_started_completed', 'started_now_completed', 'households',
         'Trong đó đã hoàn thành', 'of which completed'),
        ('year_to_date', 'houses_started_in_progress', 'started_now_in_progress', 'households',
         'Trong đó đang thi công', 'of which in progress'),
        ('year_to_date', 'houses_started_not_started', 'started_now_not_started', 'households',
         'Trong đó chưa khởi công', 'of which not started'),
    ] %}
    {%- for window_name, figure, measure, unit, label_vi, label_en in house_figures %}
    select
        {{ loop.index }} as sort_order,
        '{{ figure }}' as figure,
        '{{ label_vi }}' as label_vi,
        '{{ label_en }}' as label_en,
        period_from,
        period_to,
        {{ measure }} as value,
        '{{ unit }}' as value_unit
    from houses_in_windows
    where window_name = '{{ window_name }}'
        and (select latest_month from periods) is not null
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

figures as (

    select
        sort_order,
        figure,
        label_vi,
        label_en,
        period_from,
        period_to,
        cast(null as integer) as review_year,
        cast(null as varchar) as programme,
        cast(null as varchar) as programme_label_vi,
        cast(null as varchar) as programme_label_en,
        cast(value as decimal(20, 2)) as value,
        value_unit,
        cast(null as boolean) as like_for_like,
        cast(null as varchar) as poverty_standard

    from houses_figures

    union all

    {%- for figure, column, unit, label_vi, label_en in [
        ('grants_beneficiaries', 'beneficiaries', none, 'Số đối tượng được hỗ trợ từ đầu năm', 'Beneficiaries, year to date'),
        ('grants_vnd', 'amount_vnd', 'vnd', 'Số tiền hỗ trợ từ đầu năm', 'Amount paid, year to date'),
    ] %}
    select
        {{ 20 + loop.index0 * 10 }} + programme_order,
        '{{ figure }}',
        '{{ label_vi }}',
        '{{ label_en }}',
        period_from,
        period_to,
        null,
        programme,
        programme_label_vi,
        programme_label_en,
        cast({{ column }} as decimal(20, 2)),
        {{ "'" ~ unit ~ "'" if unit else "beneficiary_unit" }},
        null,
        null
    from grants_year_to_date

    union all
    {%- endfor %}

    {%- for figure, column, unit, like_for_like, label_vi, label_en in [
        ('poverty_rate_pct', 'poverty_rate_pct', 'percent', 'null',
         'Tỷ lệ hộ nghèo cuối năm rà soát', 'Poverty rate at the end of the review year'),
        ('poverty_change_pp', 'change_pp', 'percentage_points', 'change_like_for_like',
         'Thay đổi so với năm rà soát trước', 'Change against the previous review year'),
        ('poor_households', 'poor_households', 'households', 'null',
         'Hộ nghèo theo kỳ rà soát', 'Poor households at the review'),
        ('total_households', 'total_households', 'households', 'null',
         'Tổng số hộ', 'Households'),
        ('poverty_communes_reported', 'communes_reported', 'communes', 'null',
         'Xã đã báo cáo', 'Communes reported'),
        ('poverty_communes_due', 'communes_due', 'communes', 'null',
         'Xã phải báo cáo', 'Communes due'),
    ] %}
    select
        {{ 60 + loop.index }},
        '{{ figure }}',
        '{{ label_vi }}',
        '{{ label_en }}',
        make_date(review_year, 1, 1),
        make_date(review_year, 12, 31),
        review_year,
        null,
        null,
        null,
        cast({{ column }} as decimal(20, 2)),
        '{{ unit }}',
        {{ like_for_like }},
        poverty_standard
    from latest_review

    union all
    {%- endfor %}

    select
        70,
        'poverty_average_change_pp',
        'Thay đổi bình quân mỗi năm',
        'Average change a year',
        make_date(changes_from, 1, 1),
        make_date(changes_to, 12, 31),
        changes_to,
        null,
        null,
        null,
        cast(average_change_pp as decimal(20, 2)),
        'percentage_points',
        like_for_like,
        poverty_standard
    from average_change
    where changes_from is not null

),

final as (

    select
        figures.sort_order,
        figures.figure,
        figures.label_vi,
        figures.label_en,
        figures.period_from,
        figures.period_to,
        figures.review_year,
        figures.programme,
        figures.programme_label_vi,
        figures.programme_label_en,
        figures.value,
        figures.value_unit,
        value_units.label_vi as value_unit_label_vi,
        value_units.label_en as value_unit_label_en,
        figures.like_for_like,
        figures.poverty_standard

    from figures
    left join value_units
        on figures.value_unit = value_units.value_unit

)

select * from final
order by sort_order
