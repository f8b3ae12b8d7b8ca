"""discover -> parse (worker processes) -> validate (GX, set-wise) -> load raw, batch by batch.

No Dagster here: pipeline/definitions.py wraps run_ingest() in an asset.
"""
from __future__ import annotations

import concurrent.futures as futures
import datetime as dt
import hashlib
import multiprocessing
import os
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from pipeline import feedback, rules, safety, warehouse
from pipeline.discover import SourceFile, discover, mtime_key
from pipeline.parse import ParsedWorkbook, parse_workbook
from pipeline.sheets import DATA_SHEETS
from pipeline.tables import Problem, cell_address

# A batch (one transaction, one GX validation per sheet kind) ends at BATCH_BYTES of source
# files or BATCH_FILES files. Bytes track rows (~90 bytes per row in the benchmark), so the
# batches hold similar row counts (~35k) whether files are small or large: memory stays
# bounded and small files share a validation (each GX run has a fixed cost).
BATCH_BYTES = 3 << 20
BATCH_FILES = 256
IN_PROCESS_BELOW = 4             # fewer new files than this: not worth starting workers
DUCKDB_MEMORY_MB = 160           # this process's DuckDB buffer pool during the ingest
WORKER_MEMORY_LIMIT = 3 << 30    # address-space cap per parsing worker (bytes)

AMOUNT_COLUMNS = {"central_budget": "central_budget_vnd", "local_budget": "local_budget_vnd",
                  "social_contribution": "social_contribution_vnd", "amount": "amount_vnd",
                  "poverty_rate_pct": "poverty_rate_pct_written"}
# Where a rule on a derived column points the clerk.
DERIVED_COLUMN_CELL = {"total_vnd": ["central_budget", "local_budget", "social_contribution"],
                       "rate_gap_pp": ["poverty_rate_pct"]}


@dataclass
class IngestResult:
    files_found: int = 0
    new_entries: list[dict] = field(default_factory=list)
    rule_summary: dict[str, dict[str, dict]] = field(default_factory=dict)   # kind -> rule -> counts
    feedback: list[dict] = field(default_factory=list)   # feedback workbooks written (pipeline/feedback.py)

    @property
    def changed(self) -> bool:
        return bool(self.new_entries)

    def by_status(self) -> Counter:
        return Counter(e["outcome"] for e in self.new_entries)

    def total(self, column: str) -> int:
        return sum(e[column] or 0 for e in self.new_entries)


def submission_id_for(name: str, sha: str) -> str:
    return hashlib.sha256(f"{name}\0{sha}".encode()).hexdigest()[:16]


def _worker_setup() -> tuple:
    """(initializer, initargs) capping each worker's address space.

    The initializer (resource.setrlimit) and the task (parse.parse_workbook) live outside
    this module, so a spawned worker never imports pipeline.ingest and with it pandas,
    DuckDB and openpyxl: ~20 MB per worker instead of ~90 MB.
    """
    try:
        import resource
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    except (ImportError, ValueError, OSError):
        return None, ()
    if hard != resource.RLIM_INFINITY and hard < WORKER_MEMORY_LIMIT:
        return None, ()   # the cap cannot be set (setrlimit would fail): none, as before
    return resource.setrlimit, (resource.RLIMIT_AS, (WORKER_MEMORY_LIMIT, WORKER_MEMORY_LIMIT))


_TOO_BIG = dict(reason="the workbook needs too much memory to read", reason_vi="tệp quá lớn, không đọc được")


def _parse_one(args: tuple[str, dt.date]) -> ParsedWorkbook:
    path, today = args
    try:
        return parse_workbook(Path(path), today)
    except MemoryError:
        return ParsedWorkbook(**_TOO_BIG)


def _outcome(future) -> ParsedWorkbook:
    """A worker's parsed workbook; a MemoryError inside the worker rejects the file."""
    try:
        return future.result()
    except MemoryError:
        return ParsedWorkbook(**_TOO_BIG)


def _submit(pool, paths: list[Path], today: dt.date) -> list:
    return [pool.submit(parse_workbook, Path(p), today) for p in paths]


def _parse_many(paths: list[Path], today: dt.date, pool) -> list[ParsedWorkbook]:
    if pool is None:
        return [_parse_one((str(p), today)) for p in paths]
    try:
        return [_outcome(f) for f in _submit(pool, paths, today)]
    except futures.process.BrokenProcessPool:
        # A worker died (memory cap, crash): isolate the culprit file by file.
        results = []
        for path in paths:
            with _new_pool(1) as single:
                try:
                    results.append(_outcome(single.submit(parse_workbook, Path(path), today)))
                except futures.process.BrokenProcessPool:
                    results.append(ParsedWorkbook(
                        reason="the workbook could not be read within the memory and time limits",
                        reason_vi="tệp không đọc được trong giới hạn bộ nhớ và thời gian"))
        return results


def _start_parsing(paths: list[Path], today: dt.date, pool) -> Callable[[], list[ParsedWorkbook]]:
    """Hand the files to the workers now; the returned callable collects the results.

    Lets the workers parse the next batch while this process validates and writes the
    current one (both cores busy). A broken pool falls back to _parse_many's isolation.
    """
    if pool is None:
        return lambda: _parse_many(paths, today, None)
    try:
        pending = _submit(pool, paths, today)
    except (futures.process.BrokenProcessPool, RuntimeError):
        return lambda: _parse_many(paths, today, pool)

    def collect() -> list[ParsedWorkbook]:
        try:
            return [_outcome(f) for f in pending]
        except futures.process.BrokenProcessPool:
            return _parse_many(paths, today, pool)
    return collect


def _new_pool(workers: int):
    initializer, initargs = _worker_setup()
    return futures.ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
        initializer=initializer, initargs=initargs,
    )


def run_ingest(
    sources_dir: Path,
    warehouse_dir: Path,
    today: dt.date | None = None,
    progress: Callable[[str], None] = lambda message: None,
    workers: int | None = None,
) -> IngestResult:
    safety.assert_defusedxml()   # openpyxl must never expand XML entities (hostile workbooks)
    today = today or dt.date.today()
    received_at = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    result = IngestResult()
    files = discover(sources_dir)
    result.files_found = len(files)
    con = warehouse.connect(warehouse_dir)
    # DuckDB's buffer pool otherwise keeps every page written (up to 80% of RAM), so the
    # backfill's memory grew with the files; written pages are on disk and can be evicted.
    con.execute(f"SET memory_limit = '{DUCKDB_MEMORY_MB}MB'")
    try:
        stat_index, known_pairs, known_shas = warehouse.known_files(con)
        sha_owner = dict(con.execute("select file_sha256, min(file_name) from raw.submissions where outcome <> 'duplicate' group by 1").fetchall())
        duplicates, to_parse = [], []
        for source in files:
            sha = stat_index.get((source.name, source.size, mtime_key(source.mtime)))
            if sha is None:
                sha = source.sha256()
            if (source.name, sha) in known_pairs:
                continue   # already in the ledger: never parsed again
            known_pairs.add((source.name, sha))
            if sha in known_shas:
                duplicates.append(_ledger_entry(source, sha, received_at, outcome="duplicate",
                                                reason=f"same bytes as {sha_owner[sha]}, already processed"))
            else:
                known_shas.add(sha)
                sha_owner[sha] = source.name
                to_parse.append((source, sha))
        progress(f"{len(files)} files found: {len(to_parse)} new, {len(duplicates)} duplicate, "
                 f"{len(files) - len(to_parse) - len(duplicates)} already loaded")
        if duplicates:
            warehouse.write_batch(con, duplicates, {})
            result.new_entries.extend(duplicates)
        if not to_parse:
            result.feedback = feedback.write_feedback(con, warehouse_dir, feedback.missing_feedback(con, warehouse_dir))
            return result
        workers = workers or min(2, os.cpu_count() or 1)
        pool = _new_pool(workers) if workers > 1 and len(to_parse) >= IN_PROCESS_BELOW else None
        # Great Expectations takes seconds to import: do it while the workers parse the first batch.
        threading.Thread(target=rules.preload, daemon=True).start()
        try:
            done = 0
            batches = _batches(to_parse)
            ahead = _start_parsing([s.path for s, _ in batches[0]], today, pool)
            for number, batch in enumerate(batches):
                parsed = ahead()
                if number + 1 < len(batches):
                    ahead = _start_parsing([s.path for s, _ in batches[number + 1]], today, pool)
                entries, tables = _build_batch(batch, parsed, received_at, result.rule_summary)
                warehouse.write_batch(con, entries, tables)
                result.new_entries.extend(entries)
                done += len(batch)
                progress(f"ingested {done}/{len(to_parse)} new files")
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
        new_ids = {e["submission_id"] for e in result.new_entries}
        result.feedback = feedback.write_feedback(
            con, warehouse_dir, sorted(new_ids | set(feedback.missing_feedback(con, warehouse_dir))))
        return result
    finally:
        con.close()


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


def _ledger_entry(source: SourceFile, sha: str, received_at, outcome: str, reason=None, **values) -> dict:
    entry = {
        "submission_id": submission_id_for(source.name, sha), "file_name": source.name, "file_sha256": sha,
        "file_size": source.size, "file_mtime": source.mtime, "received_at": received_at,
        "district_code": None, "district_name_written": None, "period": None, "version": None,
        "prepared_on": None, "outcome": outcome, "status": outcome, "reason": reason,
        "rows_read": 0, "rows_loaded": 0, "rows_rejected": 0, "rows_skipped": 0, "warnings": 0,
    }
    entry.update(values)
    return entry


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


def _build_batch(batch, parsed: list[ParsedWorkbook], received_at, rule_summary) -> tuple[list[dict], dict]:
    """Apply the row rules to the batch's rows as one frame per sheet kind; build ledger and tables."""
    ids = [submission_id_for(source.name, sha) for source, sha in batch]
    by_id = dict(zip(ids, parsed))

    # 1. one frame per kind over every submission of the batch, then the rule suite on it
    for kind in DATA_SHEETS:
        parts = []
        for submission_id, workbook in by_id.items():
            sheet = workbook.sheets.get(kind)
            if sheet is None or not sheet.n_records:
                continue
            n = sheet.n_records
            parts.append({**sheet.data, "submission_id": [submission_id] * n, "period": [workbook.cover.period] * n})
        if not parts:
            continue
        frame = pd.DataFrame(_concat_columns(parts))
        del parts
        for spec_column in _expected_columns(kind):
            if spec_column not in frame:
                frame[spec_column] = None
        frame["row_key"] = range(len(frame))
        frame = rules.add_derived_columns(kind, frame)
        findings, summary = rules.validate(kind, frame)
        for name, counts in summary.items():
            total = rule_summary.setdefault(kind, {}).setdefault(name, {"unexpected": 0, "severity": counts["severity"]})
            total["unexpected"] += counts["unexpected"]
        located = frame[["submission_id", "excel_row"]].to_numpy()
        for finding in findings:
            submission_id, excel_row = located[finding.row_key]
            sheet = by_id[submission_id].sheets[kind]
            problem = _locate(sheet, int(excel_row), finding.rule)
            (sheet.problems if finding.rule.severity == rules.ERROR else sheet.warnings).append(problem)

    # 2. per submission: counts, outcome, rows to load
    entries, out = [], {name: [] for name in warehouse.TABLE_COLUMNS}
    for (source, sha), submission_id in zip(batch, ids):
        workbook = by_id[submission_id]
        if workbook.rejected:
            cover = workbook.cover
            entries.append(_ledger_entry(
                source, sha, received_at, "rejected", reason=workbook.reason,
                district_code=cover.district_code if cover else None,
                period=cover.period if cover else None, version=cover.version if cover else None))
            out["rejected_rows"].append({  # the file-level problem, in both languages
                "submission_id": submission_id, "sheet": "", "sheet_kind": "cover", "excel_row": None,
                "column": None, "cell": None, "value": None, "reason": workbook.reason,
                "reason_vi": workbook.reason_vi})
            continue
        cover = workbook.cover
        totals = Counter()
        for message, message_vi in cover.warnings:
            out["warnings"].append({"submission_id": submission_id, "sheet": "", "sheet_kind": "cover",
                                    "excel_row": None, "column": None, "cell": None, "value": None,
                                    "message": message, "message_vi": message_vi})
            totals["warnings"] += 1
        for kind, sheet in workbook.sheets.items():
            rejected = sheet.rejected_rows
            loaded = sheet.data
            if rejected:
                keep = [i for i, row in enumerate(loaded.get("excel_row", ())) if row not in rejected]
                loaded = {key: [values[i] for i in keep] for key, values in loaded.items()}
            n_loaded = len(loaded.get("excel_row", ()))
            counts = {"rows_read": sheet.rows_read, "rows_loaded": n_loaded, "rows_rejected": len(rejected),
                      "rows_skipped": sheet.rows_skipped, "warnings": len(sheet.warnings)}
            assert counts["rows_read"] == counts["rows_loaded"] + counts["rows_rejected"] + counts["rows_skipped"], (
                source.name, kind, counts)
            out["submission_sheets"].append({"submission_id": submission_id, "sheet": kind,
                                             "sheet_name": sheet.sheet_name, "header_row": sheet.header_row, **counts})
            totals.update(counts)
            out["rejected_rows"].extend(_problem_row(submission_id, sheet.sheet_name, kind, p) for p in sheet.problems)
            out["warnings"].extend(_problem_row(submission_id, sheet.sheet_name, kind, p, True) for p in sheet.warnings)
            if n_loaded:
                out[kind].append({**loaded, "submission_id": [submission_id] * n_loaded})
        if totals["rows_loaded"] == 0 and totals["rows_rejected"] > 0:
            outcome, reason = "rejected", f"no row could be loaded: {totals['rows_rejected']} rows rejected"
            for kind in workbook.sheets:
                out[kind] = [part for part in out[kind] if part["submission_id"][0] != submission_id]
        elif totals["rows_rejected"] > 0:
            outcome, reason = "accepted_with_errors", f"{totals['rows_rejected']} rows rejected"
        else:
            outcome, reason = "accepted", None
        entries.append(_ledger_entry(
            source, sha, received_at, outcome, reason=reason, district_code=cover.district_code,
            district_name_written=cover.district_name, period=cover.period, version=cover.version,
            prepared_on=cover.prepared_on, rows_read=totals["rows_read"], rows_loaded=totals["rows_loaded"],
            rows_rejected=totals["rows_rejected"], rows_skipped=totals["rows_skipped"],
            warnings=totals["warnings"]))
    tables = {name: _frame(name, rows) for name, rows in out.items()}
    return entries, tables


def _expected_columns(kind: str) -> list[str]:
    from pipeline.sheets import COLUMNS
    return [c.key for c in COLUMNS[kind] if c.kind != "ignore" and c.key != "commune_name"]


def _locate(sheet, excel_row: int, rule: rules.Rule) -> Problem:
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


def _frame(name: str, rows: list[dict]) -> pd.DataFrame | None:
    """Rows of a ledger table (row dicts), or of a data sheet kind (column-wise parts)."""
    if not rows:
        return None
    frame = pd.DataFrame(_concat_columns(rows)) if name in DATA_SHEETS else pd.DataFrame.from_records(rows)
    frame = frame.rename(columns=AMOUNT_COLUMNS)
    for column in warehouse.TABLE_COLUMNS[name]:
        if column not in frame:
            frame[column] = None
    if name == "houses":
        for column in ("central_budget_vnd", "local_budget_vnd", "social_contribution_vnd"):
            frame[column] = frame[column].fillna(0).astype("int64")
    return frame[warehouse.TABLE_COLUMNS[name]]
