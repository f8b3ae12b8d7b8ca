-- The internal raw layer: what ingest loads, one transaction per batch of files.
-- Only rows that passed every row rule are here; rejected rows are in raw.rejected_rows.
-- Personal data (household_head, national_id) lives ONLY in raw.houses and never leaves it.
create schema if not exists raw;

-- The ledger: one row per file received (not per path seen twice with the same bytes).
create table if not exists raw.submissions (
    submission_id varchar primary key,     -- sha256(file_name || file_sha256)[:16]
    file_name varchar not null,            -- path relative to the sources folder
    file_sha256 varchar not null,
    file_size bigint,
    file_mtime timestamp,
    received_at timestamp not null,        -- start of the run that first saw the file
    district_code varchar,                 -- 3 digits, from the cover sheet (null on a commune's report)
    district_name_written varchar,
    period date,                           -- reporting month, 1st of month
    version integer,                       -- Lần gửi
    prepared_on date,
    outcome varchar not null,              -- accepted | accepted_with_errors | rejected | duplicate
    status varchar not null,               -- outcome, or 'superseded' (recomputed after each batch)
    reason varchar,
    rows_read integer not null default 0,
    rows_loaded integer not null default 0,
    rows_rejected integer not null default 0,
    rows_skipped integer not null default 0,
    warnings integer not null default 0,
    run_id varchar,                        -- the load (Dagster run) that received it
    unit_type varchar,                     -- district | commune: who reports (communes from 2025-07)
    unit_code varchar,                     -- the district's (3 digits) or the commune's (5 digits) code
    unit_name_written varchar,             -- the name on the cover, as written
    report_type varchar,                   -- full | supplement (Loại báo cáo = Bổ sung: merged by key)
    kinds_carried varchar,                 -- houses,grants,poverty: the kinds a row of which loaded
    kinds_counting varchar                 -- of those, the kinds that still count (recomputed after each batch)
);

-- Per submission and data sheet: rows read = loaded + rejected + skipped.
create table if not exists raw.submission_sheets (
    submission_id varchar not null,
    sheet varchar not null,                -- houses | grants | poverty
    sheet_name varchar,                    -- as written in the workbook
    header_row integer,
    rows_read integer not null,
    rows_loaded integer not null,
    rows_rejected integer not null,
    rows_skipped integer not null,
    warnings integer not null,
    is_read boolean                        -- false: a visible sheet none of ours (by name or header), not read
);

create table if not exists raw.houses (
    submission_id varchar not null,
    excel_row integer not null,
    household_id varchar not null,
    commune_code varchar not null,
    commune_list varchar,                  -- the list commune_code belongs to: 2024 | 2025-02 | 2025-07
    village varchar,
    household_head varchar,                -- personal data
    national_id varchar,                   -- personal data
    ethnicity varchar,
    category varchar not null,             -- poor | near_poor | meritorious | other
    support_type varchar not null,         -- new_build | repair
    central_budget_vnd bigint not null,
    local_budget_vnd bigint not null,
    social_contribution_vnd bigint not null,
    start_date date,
    completion_date date,
    status varchar not null,               -- not_started | in_progress | completed
    notes varchar
);

create table if not exists raw.grants (
    submission_id varchar not null,
    excel_row integer not null,
    commune_code varchar not null,
    commune_list varchar,                  -- the list commune_code belongs to: 2024 | 2025-02 | 2025-07
    programme varchar not null,            -- production | medical | students | hardship_other
    funding_source varchar not null,       -- central | local | social
    beneficiaries bigint not null,
    amount_vnd bigint not null,
    notes varchar
);

create table if not exists raw.poverty (
    submission_id varchar not null,
    excel_row integer not null,
    commune_code varchar not null,
    commune_list varchar,                  -- the list of the review year: 2024 | 2025-02 | 2025-07
    village varchar,                       -- a row per village (Bản): the commune's figures are their sum
    review_year integer not null,
    total_households bigint not null,
    poor_households bigint not null,
    near_poor_households bigint not null,
    poor_ethnic_minority_households bigint,
    poverty_rate_pct_written double precision,  -- (PostgreSQL has no bare `double`)
    poverty_standard_stated varchar        -- the standard the workbook stated (Chuẩn nghèo); null: the year's default
);

-- One row per rejected row (or per rejected file-level problem, excel_row null).
-- value is the cell as written, except for personal columns, where it is withheld.
create table if not exists raw.rejected_rows (
    submission_id varchar not null,
    sheet varchar not null,                -- sheet name as written in the workbook
    sheet_kind varchar not null,           -- cover | houses | grants | poverty
    excel_row integer,
    "column" varchar,                      -- header as written (or canonical name if missing)
    cell varchar,                          -- e.g. 'Nhà ở'!K17
    value varchar,
    reason varchar not null,               -- English
    reason_vi varchar,                     -- Vietnamese
    rule varchar                           -- the rule's name in the rule book (seed rules, audit.rules)
);

-- The keys of the poverty rows rejected in files that loaded (as far as they could be read): a commune's
-- figure for a review year is partial where one of its village rows was rejected (issue 23).
create table if not exists raw.rejected_poverty_rows (
    submission_id varchar not null,
    excel_row integer not null,
    commune_code varchar not null,
    commune_list varchar,                  -- the list of the review year (null when the year could not be read)
    review_year integer,                   -- null when it could not be read: every year of the commune counts
    village varchar
);

-- Every row read but neither loaded nor rejected, with why (count = submission_sheets.rows_skipped).
create table if not exists raw.skipped_rows (
    submission_id varchar not null,
    sheet varchar not null,                -- sheet name as written in the workbook
    sheet_kind varchar not null,           -- houses | grants | poverty
    excel_row integer not null,
    kind varchar not null                  -- blank | total | subtotal | column_numbers | repeated_header | note | footer
);

-- Soft-rule findings: the row loads, the district hears about it.
create table if not exists raw.warnings (
    submission_id varchar not null,
    sheet varchar not null,
    sheet_kind varchar not null,
    excel_row integer,
    "column" varchar,
    cell varchar,
    value varchar,
    message varchar not null,
    message_vi varchar,
    rule varchar,                          -- the rule's name in the rule book (seed rules, audit.rules)
    run_id varchar                         -- the load that raised it (it may concern an earlier submission)
);

-- What counts today (pipeline/warehouse/supersession.py, recomputed after each batch): one row per
-- accepted submission and scope it carries. Houses and grants are counted per reporting unit and
-- month (scope unit_type/unit_code/period), poverty per commune as reported and review year.
create table if not exists raw.counting (
    sheet_kind varchar not null,           -- houses | grants | poverty
    scope varchar not null,
    submission_id varchar not null,
    commune_list varchar,                  -- poverty scopes: the commune as reported and the review year
    commune_code varchar,
    review_year integer,
    recency integer not null,              -- 1: the latest submission carrying the scope
    counts boolean not null,               -- its rows of the scope count (the latest full report, supplements after it)
    anchor boolean not null,               -- the full report the scope's counting rows start from
    replaced boolean                       -- its rows counted until the full report of what counts (counted)
                                           -- replaced them (the previous full report and the supplements after it)
);

-- Rows a replacement dropped: they counted before the batch that brought the replacement, and no
-- longer do. Keys only, never a name or an ID number; the clerk hears each as a warning.
create table if not exists raw.replaced_rows (
    submission_id varchar not null,        -- the replacement (a full report)
    replaced_submission_id varchar not null,
    sheet_kind varchar not null,
    scope varchar not null,
    excel_row integer,                     -- in the replaced submission
    household_id varchar,                  -- houses
    commune_list varchar,
    commune_code varchar,
    programme varchar,                     -- grants
    funding_source varchar,
    review_year integer,                   -- poverty
    village varchar,
    run_id varchar
);

-- Two house cases that are one household (the same Số CCCD, compared here in the raw layer only):
-- keys only. continues: a new id in the same commune of today continues an open case;
-- completed_case_same_household: the same commune, the earlier case already completed (two cases,
-- warned); other_commune: open cases of two communes of today (both stay, both units warned).
create table if not exists raw.case_links (
    submission_id varchar not null,        -- the submission whose row found the link
    excel_row integer not null,
    link varchar not null,
    commune_2025_code varchar,
    household_id varchar not null,
    other_commune_2025_code varchar,
    other_household_id varchar not null,   -- for `continues`: the id the case was first reported under
    other_submission_id varchar,           -- the submission that holds the other case's latest state
    run_id varchar
);

-- Small key/value state: which ledger state the published warehouse reflects.
create table if not exists raw.load_state (
    key varchar primary key,
    value varchar
);

-- Migrations of warehouses created by earlier versions (no-ops on a new one).
alter table raw.submissions add column if not exists run_id varchar;   -- the load (Dagster run) that received it
-- The 2025 reforms: reporting units (districts to 2025-06, communes from 2025-07) and the commune
-- list of each row. Rows loaded before carry the district era's lists, recomputed from the period.
alter table raw.submissions add column if not exists unit_type varchar;
alter table raw.submissions add column if not exists unit_code varchar;
alter table raw.submissions add column if not exists unit_name_written varchar;
update raw.submissions set unit_type = 'district', unit_code = district_code, unit_name_written = district_name_written
    where unit_type is null and district_code is not null;
alter table raw.houses add column if not exists commune_list varchar;
alter table raw.grants add column if not exists commune_list varchar;
alter table raw.poverty add column if not exists commune_list varchar;
alter table raw.poverty add column if not exists village varchar;
-- Every problem names its rule in the rule book (pipeline/rulebook/); rows loaded before have none.
alter table raw.rejected_rows add column if not exists rule varchar;
alter table raw.warnings add column if not exists rule varchar;
-- Sheets not read (issue 23): listed with is_read false; rows written before are data sheets, read.
alter table raw.submission_sheets add column if not exists is_read boolean;
-- A file against what the unit sent before (issue 24): the cover's Loại báo cáo, the kinds that count,
-- and which load raised a warning (a warning can reach an earlier submission's clerk).
alter table raw.submissions add column if not exists report_type varchar;
alter table raw.submissions add column if not exists kinds_carried varchar;
alter table raw.submissions add column if not exists kinds_counting varchar;
alter table raw.warnings add column if not exists run_id varchar;
-- What the full report of what counts replaced (the previous full report and its supplements): computed by the
-- next recount.
alter table raw.counting add column if not exists replaced boolean;
-- The poverty standard a workbook states (issue 25); rows loaded before stated none.
alter table raw.poverty add column if not exists poverty_standard_stated varchar;

-- Sign-off (pipeline/warehouse/approvals.py): what counts officially. raw.counting's own decision (counts) is
-- the submission format's; counted is what the marts count: in a unit-month (poverty: a commune-year) the
-- province approved, the submissions it pinned, else counts. Recomputed with counts (warehouses made before
-- sign-off get the columns here; dbt reads a null as "as counts").
alter table raw.counting add column if not exists counted boolean;
alter table raw.counting add column if not exists approval_status varchar;   -- approved | provisional
-- Where a scope's counting rows may start (a full report, a whole-commune figure, a change of shape, the oldest):
-- what the full report of the rows the marts count replaced is read from it (supersession.mark_replaced).
alter table raw.counting add column if not exists can_start boolean;

-- Every approve / unapprove of a reporting unit's month, append-only: never updated, never deleted.
create table if not exists raw.approval_events (
    event_id varchar primary key,
    action varchar not null,               -- approve | unapprove
    unit_type varchar not null,            -- district | commune
    unit_code varchar not null,
    period date not null,                  -- the month, 1st of month
    recorded_at timestamp not null,        -- when the province decided (Son La time)
    recorded_by varchar not null,          -- the office (never a person's ID number)
    as_of date,                            -- approve: the submissions received or prepared by this day count
    note varchar,
    run_id varchar                         -- the Dagster run that recorded it
);

-- What an approve event pinned: per sheet kind and scope (houses, grants: the unit-month; poverty: each commune
-- and review year the month carries), the submissions that count. Append-only, with its event.
create table if not exists raw.approval_pins (
    event_id varchar not null,
    sheet_kind varchar not null,           -- houses | grants | poverty
    scope varchar not null,                -- as raw.counting.scope
    submission_id varchar not null
);

-- Every headline figure as published, append-only and outside dbt's schemas (a full rebuild keeps it): a row
-- when a publish changed a figure's value or status, or first published it (value null: no longer published).
-- dbt's marts.fct_published_figures computes the rows of the publish at hand; the publish step records them.
create table if not exists raw.published_figures (
    published_at timestamp not null,       -- the publish (Son La time)
    figure_key varchar not null,           -- figure|programme|period_type|period|unit_scope
    figure varchar not null,               -- houses_started, houses_completed, houses_completed_vnd, ...
    programme varchar,                     -- grants figures
    period_type varchar not null,          -- month | year | review_year
    period date,                           -- month: its 1st day; year: 1 January
    review_year integer,                   -- review_year figures
    unit_scope varchar not null,           -- province | a unit of today's map (commune_2025_code)
    value decimal(20, 2),
    approval_status varchar not null       -- approved | provisional
);

-- Which submissions counted at each publish, as changes (the submissions behind a revised figure).
create table if not exists raw.published_counting (
    published_at timestamp not null,
    sheet_kind varchar not null,
    scope varchar not null,
    submission_id varchar not null,
    counted boolean not null               -- true: counts from this publish on; false: no longer counts
);
