"""discover -> parse (worker processes) -> validate (GX, set-wise) -> load raw, batch by batch.

No Dagster here: pipeline/defs/assets/ingest.py wraps run_ingest() in an asset.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from pipeline import crosswalk
from pipeline.ingest import rules, safety
from pipeline.ingest import workers as worker_pool
from pipeline.ingest.discover import SourceFile, discover, mtime_key
from pipeline.ingest.parse import ParsedWorkbook
from pipeline.ingest.sheets import COLUMNS, DATA_SHEETS
from pipeline.ingest.tables import Problem, cell_address
from pipeline.warehouse import store

# A batch (one transaction, one GX validation per sheet kind) ends at BATCH_BYTES of source
# files or BATCH_FILES files. Bytes track rows (~90 bytes per row in the benchmark), so the
# batches hold similar row counts (~35k) whether files are small or large: memory stays
# bounded and small files share a validation (each GX run has a fixed cost).
BATCH_BYTES = 3 << 20
BATCH_FILES = 256
IN_PROCESS_BELOW = 4             # fewer new files than this: not worth starting workers
DUCKDB_MEMORY_MB = 160           # this process's DuckDB buffer pool during the ingest

# Where a rule on a derived column points the clerk.
DERIVED_COLUMN_CELL = {"total_vnd": ["central_budget", "local_budget", "social_contribution"],
                       "rate_gap_pp": ["poverty_rate_pct"]}
ZERO_WHEN_BLANK = ("central_budget_vnd", "local_budget_vnd", "social_contribution_vnd")   # houses: blank = 0


@dataclass
class IngestResult:
    files_found: int = 0
    new_entries: list[dict] = field(default_factory=list)
    rule_summary: dict[str, dict[str, dict]] = field(default_factory=dict)   # kind -> rule -> counts

    @property
    def changed(self) -> bool:
        return bool(self.new_entries)

    def by_status(self) -> Counter:
        return Counter(e["outcome"] for e in self.new_entries)

    def total(self, column: str) -> int:
        return sum(e[column] or 0 for e in self.new_entries)


def submission_id_for(name: str, sha: str) -> str:
    return hashlib.sha256(f"{name}\0{sha}".encode()).hexdigest()[:16]


def ledger_entry(source: SourceFile, sha: str, received_at, run_id, outcome: str, reason=None, **values) -> dict:
    """One raw.submissions row; columns not given are empty (counts 0)."""
    entry = dict.fromkeys(store.raw_columns()["submissions"])
    entry.update(rows_read=0, rows_loaded=0, rows_rejected=0, rows_skipped=0, warnings=0)
    entry.update(submission_id=submission_id_for(source.name, sha), file_name=source.name, file_sha256=sha,
                 file_size=source.size, file_mtime=source.mtime, received_at=received_at, run_id=run_id,
                 outcome=outcome, status=outcome, reason=reason, **values)
    return entry


def run_ingest(sources_dir: Path, warehouse_dir: Path, today: dt.date | None = None, run_id: str | None = None,
               progress: Callable[..., None] = lambda message, **numbers: None, workers: int | None = None,
               warehouse_url: str | None = None) -> IngestResult:
    safety.assert_defusedxml()   # openpyxl must never expand XML entities (hostile workbooks)
    today = today or dt.date.today()
    received_at = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    result = IngestResult()
    files = discover(sources_dir)
    result.files_found = len(files)
    con = store.connect(warehouse_dir, url=warehouse_url)
    if not store.is_postgres(con):
        # DuckDB's buffer pool otherwise keeps every page written (up to 80% of RAM), so the
        # backfill's memory grew with the files; written pages are on disk and can be evicted.
        con.execute(f"SET memory_limit = '{DUCKDB_MEMORY_MB}MB'")
    try:
        duplicates, to_parse = _plan(con, files, received_at, run_id)
        known = len(files) - len(to_parse) - len(duplicates)
        progress(f"{len(files)} files found: {len(to_parse)} new, {len(duplicates)} duplicate, {known} already loaded",
                 found=len(files), new=len(to_parse), duplicate=len(duplicates), known=known)
        if duplicates:
            store.write_batch(con, duplicates, {})
            result.new_entries.extend(duplicates)
            progress(f"recorded {len(duplicates)} duplicate file(s) in the ledger")
        if to_parse:
            _ingest_batches(con, to_parse, today, received_at, run_id, result, progress, workers)
        return result
    finally:
        con.close()


def _plan(con, files: list[SourceFile], received_at, run_id) -> tuple[list[dict], list[tuple[SourceFile, str]]]:
    """(ledger entries of duplicates, (file, sha) to parse); files already in the ledger are neither."""
    stat_index, known_pairs, known_shas = store.known_files(con)
    sha_owner = dict(con.execute("select file_sha256, min(file_name) from raw.submissions "
                                 "where outcome <> 'duplicate' group by 1").fetchall())
    duplicates, to_parse = [], []
    for source in files:
        sha = stat_index.get((source.name, source.size, mtime_key(source.mtime))) or source.sha256()
        if (source.name, sha) in known_pairs:
            continue   # already in the ledger: never parsed again
        known_pairs.add((source.name, sha))
        if sha in known_shas:
            duplicates.append(ledger_entry(source, sha, received_at, run_id, "duplicate",
                                           reason=f"same bytes as {sha_owner[sha]}, already processed"))
        else:
            known_shas.add(sha)
            sha_owner[sha] = source.name
            to_parse.append((source, sha))
    return duplicates, to_parse


def _ingest_batches(con, to_parse, today, received_at, run_id, result: IngestResult, progress, workers) -> None:
    workers = workers or min(2, os.cpu_count() or 1)
    pool = worker_pool.new_pool(workers) if workers > 1 and len(to_parse) >= IN_PROCESS_BELOW else None
    try:
        done = 0
        batches = _batches(to_parse)
        ahead = worker_pool.start_parsing([s.path for s, _ in batches[0]], today, pool)
        for number, batch in enumerate(batches):
            parsed = ahead()
            mark_known_cases(parsed, lambda pairs: store.known_house_cases(con, pairs))
            if number + 1 < len(batches):
                ahead = worker_pool.start_parsing([s.path for s, _ in batches[number + 1]], today, pool)
            entries, tables = build_batch(batch, parsed, received_at, run_id, result.rule_summary,
                                          lambda ids: store.house_districts(con, ids))
            store.write_batch(con, entries, tables)
            result.new_entries.extend(entries)
            done += len(batch)
            progress(f"ingested {done}/{len(to_parse)} new files", done=done, total=len(to_parse))
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def _batches(to_parse: list) -> list[list]:
    batches, size = [[]], 0
    for item in to_parse:
        source = item[0]
        if batches[-1] and (size + source.size > BATCH_BYTES or len(batches[-1]) >= BATCH_FILES):
            batches.append([])
            size = 0
        batches[-1].append(item)
        size += source.size
    return batches


def mark_known_cases(parsed: list[ParsedWorkbook], known_cases: Callable[[pd.DataFrame], set]) -> None:
    """known_case on every houses row: the household head may be blank there, because a current
    submission already loaded this case (known_cases: (commune of today, household id) keys ->
    the known ones), or another file of this batch gives it with its head. A case is keyed by
    Mã hộ within today's commune, so a district-era case is known to its new commune."""
    from pipeline.crosswalk import today_by_commune   # the crosswalk seed, read once

    today = today_by_commune()
    sheets = [(index, wb.sheets["houses"]) for index, wb in enumerate(parsed)
              if not wb.rejected and wb.cover and "houses" in wb.sheets and wb.sheets["houses"].n_records]
    if not any(None in sheet.data["household_head"] for _, sheet in sheets):
        for _, sheet in sheets:   # every head given (the usual batch): nothing to look up
            sheet.data["known_case"] = [True] * sheet.n_records
        return
    keyed = []
    headed: dict[tuple, set] = {}   # case key -> files of this batch giving its head
    blank = []
    for index, sheet in sheets:
        data = sheet.data
        keys = [(today.get((lst, code)), household) for lst, code, household
                in zip(data["commune_list"], data["commune_code"], data["household_id"])]
        keyed.append((index, sheet, keys))
        for key, head in zip(keys, data["household_head"]):
            (blank.append(key) if head is None else headed.setdefault(key, set()).add(index))
    asked = pd.DataFrame(list(dict.fromkeys(blank)), columns=["commune_2025_code", "household_id"]).dropna()
    known = known_cases(asked) if len(asked) else set()
    for index, sheet, keys in keyed:
        sheet.data["known_case"] = [head is not None or (key[0] is not None and (
                                        key in known or bool(headed.get(key, set()) - {index})))
                                    for key, head in zip(keys, sheet.data["household_head"])]


@dataclass
class KindOutcome:
    """One sheet kind of a batch after the rule suite: rows to load and what the rules found."""

    rows: pd.DataFrame                                                      # parser-accepted rows
    rejected_keys: set[int] = field(default_factory=set)                    # row_key of rows a rule rejected
    problems: dict[str, list[Problem]] = field(default_factory=dict)        # submission -> rule errors
    warnings: dict[str, list[Problem]] = field(default_factory=dict)        # submission -> soft-rule findings
    rejected_rows: Counter = field(default_factory=Counter)                 # submission -> rows rejected by rules


def build_batch(batch, parsed: list[ParsedWorkbook], received_at, run_id, rule_summary,
                house_districts: Callable[[list[str]], dict] = lambda ids: {}) -> tuple[list[dict], dict]:
    """Apply the rule suite to the batch's rows, one frame per sheet kind; build ledger and raw tables.
    house_districts(ids): what the warehouse already holds of these Mã hộ (store.house_districts)."""
    ids = [submission_id_for(source.name, sha) for source, sha in batch]
    by_id = dict(zip(ids, parsed))
    outcomes = {kind: _validate_kind(kind, by_id, rule_summary, house_districts) for kind in DATA_SHEETS}
    entries, problem_rows, warning_rows, sheet_rows, skipped_rows = [], [], [], [], []
    for (source, sha), submission_id in zip(batch, ids):
        entry, problems, warnings, sheets = _submission_outcome(
            source, sha, submission_id, by_id[submission_id], outcomes, received_at, run_id)
        entries.append(entry)
        problem_rows += problems
        warning_rows += warnings
        sheet_rows += sheets
        skipped_rows += _skipped_rows(submission_id, by_id[submission_id])
    rejected_files = {e["submission_id"] for e in entries if e["outcome"] == "rejected"}
    tables = {kind: _raw_rows(kind, outcome, rejected_files) for kind, outcome in outcomes.items() if outcome}
    tables.update(rejected_rows=_frame(problem_rows), warnings=_frame(warning_rows),
                  submission_sheets=_frame(sheet_rows), skipped_rows=_frame(skipped_rows))
    return entries, tables


def _skipped_rows(submission_id: str, workbook: ParsedWorkbook) -> list[dict]:
    """raw.skipped_rows of one file: every sheet whose counts the ledger records."""
    if workbook.rejected:
        return []
    return [{"submission_id": submission_id, "sheet": sheet.sheet_name, "sheet_kind": kind,
             "excel_row": excel_row, "kind": skip_kind}
            for kind, sheet in workbook.sheets.items() for excel_row, skip_kind in sheet.skipped]


def _validate_kind(kind: str, by_id: dict[str, ParsedWorkbook], rule_summary,
                   house_districts: Callable[[list[str]], dict] = lambda ids: {}) -> KindOutcome | None:
    """The kind's rows of every submission in one frame, and the rule suite run on it."""
    parts = []
    for submission_id, workbook in by_id.items():
        sheet = workbook.sheets.get(kind)
        if sheet is not None and sheet.n_records:
            n = sheet.n_records
            parts.append({**sheet.data, "submission_id": [submission_id] * n, "period": [workbook.cover.period] * n})
    if not parts:
        return None
    frame = pd.DataFrame(_concat_columns(parts))
    del parts
    for column in COLUMNS[kind]:
        if column.kind != "ignore" and column.key != "commune_name" and column.key not in frame:
            frame[column.key] = None
    frame["row_key"] = range(len(frame))
    if kind == "houses" and any(w.cover is not None and w.cover.unit_type == "commune" for w in by_id.values()):
        frame["household_id_collision"] = _colliding_ids(frame, by_id, house_districts)
    findings, summary = rules.validate(kind, rules.add_derived_columns(kind, frame))
    for name, counts in summary.items():
        total = rule_summary.setdefault(kind, {}).setdefault(name, {"unexpected": 0, "severity": counts["severity"]})
        total["unexpected"] += counts["unexpected"]
    outcome = KindOutcome(frame)
    located = frame[["submission_id", "excel_row"]].to_numpy()
    for finding in findings:
        submission_id, excel_row = located[finding.row_key]
        problem = _locate(by_id[submission_id].sheets[kind], int(excel_row), finding.rule)
        if finding.rule.severity == rules.ERROR:
            outcome.problems.setdefault(submission_id, []).append(problem)
            if finding.row_key not in outcome.rejected_keys:
                outcome.rejected_keys.add(finding.row_key)
                outcome.rejected_rows[submission_id] += 1
        else:
            outcome.warnings.setdefault(submission_id, []).append(problem)
    return outcome


def _colliding_ids(frame: pd.DataFrame, by_id: dict[str, ParsedWorkbook], house_districts) -> list:
    """The Mã hộ of commune-report rows whose id two districts used for two cases now in this commune
    (districts from the warehouse and from this batch's own district reports)."""
    units = {sid: (w.cover.unit_type, w.cover.unit_code) for sid, w in by_id.items() if w.cover is not None}
    rows = list(zip(frame["submission_id"], frame["household_id"], frame["commune_list"], frame["commune_code"]))
    asked = [household for sid, household, _, _ in rows if units.get(sid, ("",))[0] == "commune" and household]
    districts = {key: set(value) for key, value in house_districts(asked).items()} if asked else {}
    today = crosswalk.today_by_commune()
    for sid, household, commune_list, commune_code in rows:
        unit_type, unit_code = units.get(sid, (None, None))
        if unit_type == "district" and (commune_list, commune_code) in today:
            districts.setdefault((today[(commune_list, commune_code)], household), set()).add(unit_code)
    return [household if units.get(sid, ("",))[0] == "commune" and len(districts.get((units[sid][1], household), ())) > 1
            else None for sid, household, _, _ in rows]


_NO_CELL = {"sheet": "", "sheet_kind": "cover", "excel_row": None, "column": None, "cell": None, "value": None}


def _submission_outcome(source, sha, submission_id, workbook: ParsedWorkbook, outcomes, received_at, run_id):
    """(ledger entry, rejected-row dicts, warning dicts, per-sheet count dicts) of one file."""
    cover = workbook.cover
    if workbook.rejected:
        unit = cover.reporter if cover else workbook.unit
        entry = ledger_entry(source, sha, received_at, run_id, "rejected", reason=workbook.reason,
                             district_code=cover.district_code if cover else workbook.district_code,
                             period=cover.period if cover else None, version=cover.version if cover else None,
                             unit_type=unit.unit_type if unit else None, unit_code=unit.unit_code if unit else None)
        file_problem = {**_NO_CELL, "submission_id": submission_id, "reason": workbook.reason,
                        "reason_vi": workbook.reason_vi}   # in both languages
        return entry, [file_problem], [], []
    warnings = [{**_NO_CELL, "submission_id": submission_id, "message": message, "message_vi": message_vi}
                for message, message_vi in cover.warnings]
    warnings += [{**_NO_CELL, "sheet": name, "sheet_kind": kind, "cell": name, "submission_id": submission_id,
                  "message": message, "message_vi": message_vi}
                 for name, kind, message, message_vi in workbook.warnings]
    problems, sheets, totals = [], [], Counter(warnings=len(warnings))
    for kind, sheet in workbook.sheets.items():
        outcome = outcomes.get(kind)
        rule_problems = outcome.problems.get(submission_id, []) if outcome else []
        rule_warnings = outcome.warnings.get(submission_id, []) if outcome else []
        rule_rejected = outcome.rejected_rows[submission_id] if outcome else 0
        counts = {"rows_read": sheet.rows_read, "rows_loaded": sheet.n_records - rule_rejected,
                  "rows_rejected": len(sheet.rejected_rows) + rule_rejected, "rows_skipped": sheet.rows_skipped,
                  "warnings": len(sheet.warnings) + len(rule_warnings)}
        assert counts["rows_read"] == counts["rows_loaded"] + counts["rows_rejected"] + counts["rows_skipped"], (
            source.name, kind, counts)
        sheets.append({"submission_id": submission_id, "sheet": kind, "sheet_name": sheet.sheet_name,
                       "header_row": sheet.header_row, **counts})
        totals.update(counts)
        problems += [_problem_row(submission_id, sheet.sheet_name, kind, p) for p in sheet.problems + rule_problems]
        warnings += [_problem_row(submission_id, sheet.sheet_name, kind, p, True)
                     for p in sheet.warnings + rule_warnings]
    if totals["rows_loaded"] == 0 and totals["rows_rejected"] > 0:
        outcome_name, reason = "rejected", f"no row could be loaded: {totals['rows_rejected']} rows rejected"
    elif totals["rows_rejected"] > 0:
        outcome_name, reason = "accepted_with_errors", f"{totals['rows_rejected']} rows rejected"
    else:
        outcome_name, reason = "accepted", None
    entry = ledger_entry(
        source, sha, received_at, run_id, outcome_name, reason=reason, district_code=cover.district_code,
        district_name_written=cover.district_name, period=cover.period, version=cover.version,
        unit_type=cover.unit_type, unit_code=cover.unit_code, unit_name_written=cover.unit_name,
        prepared_on=cover.prepared_on, **{k: totals[k] for k in
                                          ("rows_read", "rows_loaded", "rows_rejected", "rows_skipped", "warnings")})
    return entry, problems, warnings, sheets


def _raw_rows(kind: str, outcome: KindOutcome, rejected_files: set[str]) -> pd.DataFrame:
    """The rows to load into raw.<kind>: every rule passed and the file not rejected as a whole."""
    rows = outcome.rows
    keep = ~rows["row_key"].isin(outcome.rejected_keys) & ~rows["submission_id"].isin(rejected_files)
    rows = rows[keep].rename(columns={c.key: c.raw_column for c in COLUMNS[kind]})
    for column in ZERO_WHEN_BLANK:
        if column in rows:
            rows[column] = rows[column].fillna(0).astype("int64")
    return rows[[c for c in store.raw_columns()[kind] if c in rows.columns]]


def _problem_row(submission_id: str, sheet_name: str, kind: str, problem: Problem, warning=False) -> dict:
    row = {
        "submission_id": submission_id, "sheet": sheet_name, "sheet_kind": kind,
        "excel_row": problem.excel_row, "column": problem.column,
        "cell": cell_address(sheet_name, problem.excel_row, problem.col_index), "value": problem.value,
    }
    if warning:
        row.update(message=problem.reason, message_vi=problem.reason_vi)
    else:
        row.update(reason=problem.reason, reason_vi=problem.reason_vi)
    return row


def _locate(sheet, excel_row: int, rule: rules.Rule) -> Problem:
    """The cell a rule's finding points the clerk to (the value as written, unless personal)."""
    candidates = DERIVED_COLUMN_CELL.get(rule.column, [rule.column])
    mapped = next((sheet.columns[c] for c in candidates if c in sheet.columns), None)
    value = None
    if mapped is not None and not mapped.spec.personal:
        value = sheet.written_text(excel_row, mapped.spec.key)
    return Problem(excel_row, mapped.header if mapped else rule.column, mapped.index if mapped else None,
                   value, rule.reason, rule.reason_vi)


def _concat_columns(parts: list[dict[str, list]]) -> dict[str, list]:
    """Column-wise parts (one per sheet) -> one dict of lists; a column a part lacks is None there.

    Building a frame from lists per column is several times faster than from row dicts.
    """
    keys = list(dict.fromkeys(key for part in parts for key in part))
    columns: dict[str, list] = {key: [] for key in keys}
    for part in parts:
        n = len(part["submission_id"])
        for key in keys:
            values = part.get(key)
            columns[key].extend(values if values is not None else [None] * n)
    return columns


def _frame(rows: list[dict]) -> pd.DataFrame | None:
    return pd.DataFrame.from_records(rows) if rows else None
