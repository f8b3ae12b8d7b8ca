-- One row: the periods the report's headline speaks of, from the data (the latest month any
-- reporting unit sent an accepted file; the last calendar year all of whose months have been
-- due; the year to date), and when the data was loaded.
with

submissions as (

    select * from {{ ref('audit_submissions') }}

),

latest as (

    select max(period) as latest_month
    from submissions
    where status in ('accepted', 'accepted_with_errors') and period is not null

),

ledger as (

    select
        max(received_at) as loaded_at,
        count(*) as files_received

    from submissions

),

final as (

    select
        latest.latest_month,
        cast(case
            when extract(month from latest.latest_month) = 12 then extract(year from latest.latest_month)
            else extract(year from latest.latest_month) - 1
        end as integer) as last_full_year,
        cast({{ dbt.date_trunc('year', 'latest.latest_month') }} as date) as year_to_date_from,
        cast({{ dbt.last_day('latest.latest_month', 'month') }} as date) as year_to_date_to,
        ledger.loaded_at,
        ledger.files_received

    from latest
    cross join ledger

)

select * from final
