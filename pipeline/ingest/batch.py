"""discover -> parse (worker processes) -> validate (the rule book, GX set-wise) -> load raw, batch by batch.

No Dagster here: pipeline/defs/assets/ingest.py wraps run_ingest() in an asset. The rules are
the rule book's (pipeline/rulebook/); this module supplies their lookups against the warehouse
and turns their findings into ledger entries and raw rows.
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

from pipeline import form
from pipeline.ingest import safety, validate
from pipeline.ingest import workers as worker_pool
from pipeline.ingest.discover import SourceFile, discover
from pipeline.ingest.parse import ParsedWorkbook
from pipeline.ingest.problem import Problem, cell_address
from pipeline.ingest.tables import REJECTED_KEYS
from pipeline.rulebook import ERROR, Rule, cases, history, reading
from pipeline.warehouse import cases as case_lookups
from pipeline.warehouse import state, store

# A batch (one transaction, one GX validation per sheet kind) ends at BATCH_BYTES of source
# files or BATCH_FILES files. Bytes track rows (~90 bytes per row in the benchmark), so the
# batches hold similar row counts (~35k) whether files are small or large: memory stays
# bounded and small files share a validation (each GX run has a fixed cost).
BATCH_BYTES = 3 << 20
BATCH_FILES = 256
IN_PROCESS_BELOW = 4             # fewer new files than this: not worth starting workers
COUNTS = ("rows_read", "rows_loaded", "rows_rejected", "rows_skipped", "warnings")


@dataclass
class IngestResult:
    files_found: int = 0
    new_entries: list[dict] = field(default_factory=list)
    rule_summary: dict[str, dict[str, dict]] = field(default_factory=dict)   # sheet kind -> rule -> counts

    def by_status(self) -> Counter:
        return Counter(e["outcome"] for e in self.new_entries)

    def total(self, column: str) -> int:
        return sum(e[column] or 0 for e in self.new_entries)


def submission_id_for(name: str, sha: str) -> str:
    return hashlib.sha256(f"{name}\0{sha}".encode()).hexdigest()[:16]


def ledger_entry(source: SourceFile, sha: str, received_at, run_id, outcome: str, reason=None, **values) -> dict:
    """One raw.submissions row; columns not given are empty (counts 0)."""
    entry = dict.fromkeys(store.raw_columns()["submissions"])
    entry.update(dict.fromkeys(COUNTS, 0))
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
    # (DuckDB's buffer pool is limited in store.connect: written pages are on disk and can be evicted)
    con = store.connect(warehouse_dir, url=warehouse_url)
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
    """(ledger entries of duplicates, (file, sha) to parse) among the files the ledger does not hold yet."""
    processed = store.processed_files(con)   # sha -> the file first processed with those bytes
    duplicates, to_parse = [], []
    for source, sha in state.new_files(con, files):
        if sha in processed:
            duplicates.append(ledger_entry(source, sha, received_at, run_id, "duplicate",
                                           reason=f"same bytes as {processed[sha]}, already processed"))
        else:
            processed[sha] = source.name
            to_parse.append((source, sha))
    return duplicates, to_parse


def _ingest_batches(con, to_parse, today, received_at, run_id, result: IngestResult, progress, workers) -> None:
    workers = workers or min(2, os.cpu_count() or 1)
    pool = worker_pool.new_pool(workers) if workers > 1 and len(to_parse) >= IN_PROCESS_BELOW else None
    lookups = case_lookups.lookups(con)   # what the rule book's Lookup rules ask the warehouse
    try:
        done = 0
        batches = _batches(to_parse)
        ahead = worker_pool.start_parsing([s.path for s, _ in batches[0]], today, pool)
        for number, batch in enumerate(batches):
            parsed = ahead()
            if number + 1 < len(batches):
                ahead = worker_pool.start_parsing([s.path for s, _ in batches[number + 1]], today, pool)
            entries, tables = build_batch(batch, parsed, received_at, run_id, result.rule_summary, lookups, today)
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


@dataclass
class KindOutcome:
    """One sheet kind of a batch after the rule book's set-wise rules: rows to load and what the rules found."""

    rows: pd.DataFrame                                                      # parser-accepted rows
    rejected_keys: set[int] = field(default_factory=set)                    # row_key of rows a rule rejected
    problems: dict[str, list[Problem]] = field(default_factory=dict)        # submission -> rule errors
    warnings: dict[str, list[Problem]] = field(default_factory=dict)        # submission -> soft-rule findings
    rejected_rows: Counter = field(default_factory=Counter)                 # submission -> rows rejected by rules
    noted: dict[str, list[tuple]] = field(default_factory=dict)   # submission -> (rule, message, message_vi): the file's
    links: list[dict] = field(default_factory=list)               # raw.case_links of the rows that load


def build_batch(batch, parsed: list[ParsedWorkbook], received_at, run_id, rule_summary,
                lookups: dict[str, Callable] | None = None, received_on: dt.date | None = None,
                ) -> tuple[list[dict], dict]:
    """Apply the rule book's set-wise rules to the batch's rows, one frame per sheet kind; build ledger and
    raw tables. lookups: what the warehouse answers to the Lookup rules (none: it knows nothing);
    received_on: the day the files were received (default: received_at's)."""
    ids = [submission_id_for(source.name, sha) for source, sha in batch]
    by_id = dict(zip(ids, parsed))
    # the order the files arrived in (the same run: modification time, then name)
    arrival = {sid: n for n, (sid, _) in enumerate(sorted(zip(ids, batch), key=lambda item: (
        item[1][0].mtime or dt.datetime.min, item[1][0].name)))}
    context = {"received_on": received_on or received_at.date(), "arrival": arrival}
    outcomes = {sheet_kind: _validate_kind(sheet_kind, by_id, rule_summary, lookups, context)
                for sheet_kind in form.DATA_SHEETS}
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
    tables = {sheet_kind: _raw_rows(sheet_kind, outcome, rejected_files)
              for sheet_kind, outcome in outcomes.items() if outcome}
    tables["rejected_poverty_rows"] = _rejected_poverty_rows(by_id, outcomes.get("poverty"), rejected_files)
    links = [link for outcome in outcomes.values() if outcome for link in outcome.links
             if link["submission_id"] not in rejected_files]
    for row in warning_rows:
        row["run_id"] = run_id
    tables.update(rejected_rows=_frame(problem_rows), warnings=_frame(warning_rows),
                  submission_sheets=_frame(sheet_rows), skipped_rows=_frame(skipped_rows),
                  case_links=_frame([{**link, "run_id": run_id} for link in links]))
    return entries, tables


def _skipped_rows(submission_id: str, workbook: ParsedWorkbook) -> list[dict]:
    """raw.skipped_rows of one file: every sheet whose counts the ledger records."""
    if workbook.rejected:
        return []
    return [{"submission_id": submission_id, "sheet": sheet.sheet_name, "sheet_kind": sheet_kind,
             "excel_row": excel_row, "kind": reason}   # raw.skipped_rows.kind: why the row was skipped
            for sheet_kind, sheet in workbook.sheets.items() for excel_row, reason in sheet.skipped]


def _kind_frame(sheet_kind: str, by_id: dict[str, ParsedWorkbook], context: dict) -> pd.DataFrame | None:
    """The sheet kind's typed rows of every submission in one frame (with whose and which month they are,
    when the file arrived, and in what order)."""
    parts = []
    for submission_id, workbook in by_id.items():
        sheet = workbook.sheets.get(sheet_kind)
        if sheet is not None and sheet.n_records:
            n, cover = sheet.n_records, workbook.cover
            parts.append({**sheet.data, "submission_id": [submission_id] * n, "period": [cover.period] * n,
                          "unit_type": [cover.unit_type] * n, "unit_code": [cover.unit_code] * n,
                          "received_on": [context["received_on"]] * n,
                          "arrival": [context["arrival"].get(submission_id, 0)] * n})
    if not parts:
        return None
    frame = pd.DataFrame(_concat_columns(parts))
    del parts
    for column in form.COLUMNS[sheet_kind]:
        if column.typed and column.key not in frame:
            frame[column.key] = None
    frame["row_key"] = range(len(frame))
    return frame


def _validate_kind(sheet_kind: str, by_id: dict[str, ParsedWorkbook], rule_summary,
                   lookups: dict[str, Callable] | None, context: dict) -> KindOutcome | None:
    """The kind's rows of every submission in one frame, and the rule book's set-wise rules run on it."""
    frame = _kind_frame(sheet_kind, by_id, context)
    if frame is None:
        return None
    derived = validate.derive(sheet_kind, frame, lookups)
    findings, summary = validate.validate(sheet_kind, derived)
    for name, counts in summary.items():
        total = rule_summary.setdefault(sheet_kind, {}).setdefault(name, {"unexpected": 0,
                                                                          "severity": counts["severity"]})
        total["unexpected"] += counts["unexpected"]
    outcome = KindOutcome(frame)
    located = frame[["submission_id", "excel_row"]].to_numpy()
    for finding in findings:
        submission_id, excel_row = located[finding.row_key]
        detail = derived.at[finding.row_key, finding.rule.check.column] if "{detail}" in finding.rule.reason else None
        problem = _locate(by_id[submission_id].sheets[sheet_kind], int(excel_row), finding.rule, detail)
        if finding.rule.severity == ERROR:
            outcome.problems.setdefault(submission_id, []).append(problem)
            if finding.row_key not in outcome.rejected_keys:
                outcome.rejected_keys.add(finding.row_key)
                outcome.rejected_rows[submission_id] += 1
        else:
            outcome.warnings.setdefault(submission_id, []).append(problem)
    if sheet_kind == "houses":   # what the rows are to the cases before them: links, dates of another month
        outcome.links = cases.links(derived, ~derived["row_key"].isin(outcome.rejected_keys))
        if "_known_before" in derived:
            for submission_id, (message, message_vi) in history.dates_in_another_month(derived).items():
                outcome.noted.setdefault(submission_id, []).append((history.DATES_IN_ANOTHER_MONTH, message, message_vi))
    return outcome


_NO_CELL = {"sheet": "", "sheet_kind": "cover", "excel_row": None, "column": None, "cell": None, "value": None}


def _submission_outcome(source, sha, submission_id, workbook: ParsedWorkbook, outcomes, received_at, run_id):
    """(ledger entry, rejected-row dicts, warning dicts, per-sheet count dicts) of one file."""
    cover = workbook.cover
    if workbook.rejected:
        return _rejected_file(source, sha, submission_id, workbook, received_at, run_id)
    warnings = [{**_NO_CELL, "submission_id": submission_id, "message": w.message, "message_vi": w.message_vi,
                 "rule": w.rule} for w in cover.warnings]
    warnings += [{**_NO_CELL, "sheet": name, "sheet_kind": sheet_kind, "cell": name, "submission_id": submission_id,
                  "message": message, "message_vi": message_vi, "rule": rule}
                 for name, sheet_kind, rule, message, message_vi in workbook.warnings]
    for sheet_kind, outcome in outcomes.items():
        for rule, message, message_vi in (outcome.noted.get(submission_id, []) if outcome else []):
            name = workbook.sheets[sheet_kind].sheet_name
            warnings.append({**_NO_CELL, "sheet": name, "sheet_kind": sheet_kind, "cell": name,
                             "submission_id": submission_id, "message": message, "message_vi": message_vi,
                             "rule": rule})
    problems, sheets, totals = [], [], Counter(warnings=len(warnings))
    for sheet_kind, sheet in workbook.sheets.items():
        outcome = outcomes.get(sheet_kind)
        rule_problems = outcome.problems.get(submission_id, []) if outcome else []
        rule_warnings = outcome.warnings.get(submission_id, []) if outcome else []
        counts = _sheet_counts(sheet, outcome.rejected_rows[submission_id] if outcome else 0, len(rule_warnings))
        assert counts["rows_read"] == counts["rows_loaded"] + counts["rows_rejected"] + counts["rows_skipped"], (
            source.name, sheet_kind, counts)
        sheets.append({"submission_id": submission_id, "sheet": sheet_kind, "sheet_name": sheet.sheet_name,
                       "header_row": sheet.header_row, **counts, "is_read": True})
        totals.update(counts)
        problems += [_problem_row(submission_id, sheet.sheet_name, sheet_kind, p)
                     for p in sheet.problems + rule_problems]
        warnings += [_problem_row(submission_id, sheet.sheet_name, sheet_kind, p, True)
                     for p in sheet.warnings + rule_warnings]
    sheets += [{"submission_id": submission_id, "sheet": "other", "sheet_name": unread.name, "header_row": None,
                **dict.fromkeys(COUNTS, 0), "warnings": int(unread.holds_numbers), "is_read": False}
               for unread in workbook.unread]   # their warning is the workbook's, counted above
    entry = ledger_entry(
        source, sha, received_at, run_id, *_file_outcome(totals), district_code=cover.district_code,
        district_name_written=cover.district_name, period=cover.period, version=cover.version,
        unit_type=cover.unit_type, unit_code=cover.unit_code, unit_name_written=cover.unit_name,
        prepared_on=cover.prepared_on, report_type=cover.report_type, **{k: totals[k] for k in COUNTS})
    return entry, problems, warnings, sheets


def _sheet_counts(sheet, rule_rejected: int, rule_warnings: int) -> dict:
    return {"rows_read": sheet.rows_read, "rows_loaded": sheet.n_records - rule_rejected,
            "rows_rejected": len(sheet.rejected_rows) + rule_rejected, "rows_skipped": sheet.rows_skipped,
            "warnings": len(sheet.warnings) + rule_warnings}


def _file_outcome(totals: Counter) -> tuple[str, str | None]:
    if totals["rows_loaded"] == 0 and totals["rows_rejected"] > 0:
        return "rejected", f"no row could be loaded: {totals['rows_rejected']} rows rejected"
    if totals["rows_rejected"] > 0:
        return "accepted_with_errors", f"{totals['rows_rejected']} rows rejected"
    return "accepted", None


def _rejected_file(source, sha, submission_id, workbook: ParsedWorkbook, received_at, run_id):
    """A file rejected as a whole: its ledger entry and its reason, in both languages, as its one problem."""
    cover = workbook.cover
    unit = cover.reporter if cover else workbook.unit
    entry = ledger_entry(source, sha, received_at, run_id, "rejected", reason=workbook.reason,
                         district_code=cover.district_code if cover else workbook.district_code,
                         period=cover.period if cover else workbook.period, version=cover.version if cover else None,
                         unit_type=unit.unit_type if unit else workbook.unit_type,
                         unit_code=unit.unit_code if unit else None,
                         unit_name_written=cover.unit_name if cover else workbook.unit_name)
    file_problem = {**_NO_CELL, "submission_id": submission_id, "reason": workbook.reason,
                    "reason_vi": workbook.reason_vi, "rule": reading.FILE_ACCEPTABLE}
    return entry, [file_problem], [], []


def _raw_rows(sheet_kind: str, outcome: KindOutcome, rejected_files: set[str]) -> pd.DataFrame:
    """The rows to load into raw.<kind>: every rule passed and the file not rejected as a whole."""
    rows = outcome.rows
    keep = ~rows["row_key"].isin(outcome.rejected_keys) & ~rows["submission_id"].isin(rejected_files)
    columns = form.COLUMNS[sheet_kind]
    rows = rows[keep].rename(columns={c.key: c.raw_column for c in columns})
    for column in columns:   # an optional amount left blank is 0 (the houses' three budgets)
        if column.value_type == "amount" and not column.required and column.raw_column in rows:
            rows[column.raw_column] = rows[column.raw_column].fillna(0).astype("int64")
    return rows[[c for c in store.raw_columns()[sheet_kind] if c in rows.columns]]


def _rejected_poverty_rows(by_id: dict[str, ParsedWorkbook], outcome: KindOutcome | None,
                           rejected_files: set[str]) -> pd.DataFrame | None:
    """The keys of the poverty rows rejected (by the parser or a rule) in files that loaded: a commune's
    figure is partial where a village row of it was rejected."""
    rows = [{"submission_id": submission_id, **keys}
            for submission_id, workbook in by_id.items() if submission_id not in rejected_files
            for keys in (workbook.sheets["poverty"].rejected_keys if "poverty" in workbook.sheets else ())]
    if outcome is not None and outcome.rejected_keys:
        frame = outcome.rows
        by_rule = frame[frame["row_key"].isin(outcome.rejected_keys) & ~frame["submission_id"].isin(rejected_files)]
        rows += by_rule[["submission_id", *REJECTED_KEYS]].astype(object).to_dict("records")
    return _frame([{**row, "review_year": None if pd.isna(row["review_year"]) else int(row["review_year"]),
                    "village": None if pd.isna(row["village"]) else row["village"]}
                   for row in rows if not pd.isna(row["commune_code"])])


def _problem_row(submission_id: str, sheet_name: str, sheet_kind: str, problem: Problem, warning=False) -> dict:
    row = {
        "submission_id": submission_id, "sheet": sheet_name, "sheet_kind": sheet_kind,
        "excel_row": problem.excel_row, "column": problem.column,
        "cell": cell_address(sheet_name, problem.excel_row, problem.col_index), "value": problem.value,
        "rule": problem.rule,
    }
    if warning:
        row.update(message=problem.reason, message_vi=problem.reason_vi)
    else:
        row.update(reason=problem.reason, reason_vi=problem.reason_vi)
    return row


def _locate(sheet, excel_row: int, rule: Rule, detail=None) -> Problem:
    """The cell a rule's finding points the clerk to (the value as written, unless personal); a reason that
    holds {detail} gets the rule's derived value at the row (never a personal one: the rules derive keys)."""
    mapped = next((sheet.columns[c] for c in rule.look_at if c in sheet.columns), None)
    value = None
    if mapped is not None and not mapped.spec.personal:
        value = sheet.written_text(excel_row, mapped.spec.key)
    reason, reason_vi = rule.reason, rule.reason_vi
    if "{detail}" in reason:
        reason, reason_vi = reason.format(detail=detail), reason_vi.format(detail=detail)
    return Problem(excel_row, mapped.header if mapped else rule.column, mapped.index if mapped else None,
                   value, reason, reason_vi, rule.name)


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
