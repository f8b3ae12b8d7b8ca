{{ config(alias='rules') }}

-- Every rule a submission is checked against, with its reasons: the rule book (pipeline/rulebook/),
-- from the seed rules, which tools/export_seeds.py writes. audit.rejected_rows and audit.warnings
-- name the rule of each finding.
with

rules as (

    select * from {{ ref('rules') }}

),

final as (

    select
        rule,
        sheet_kind,
        "column",
        severity,
        evaluated_by,
        reason_en,
        reason_vi

    from rules

)

select * from final
