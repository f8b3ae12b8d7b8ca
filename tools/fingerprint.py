"""A load's outcome as a fingerprint: ledger, raw tables, published marts and audit, feedback workbooks.

    python -m tools.fingerprint WAREHOUSE_DIR [--write FILE] [--check FILE]

Per table and per column: the row count and a hash of the column's values, rows in a fixed
order (every fingerprinted column, sorted). Run-time columns (below) are left out: they
differ between two loads of the same files by design. A change to the code that must not
change what a load produces (a faster engine, a reshape) keeps the fingerprint; a change that
means to change results (a new rule, a new mart column) rewrites it with --write, and the diff
shows which tables and columns moved. tests/test_fingerprint.py loads the demo sources and
compares with tests/snapshots/demo_fingerprint.json.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import duckdb

# Differ between two loads of the same files: when the run happened, which run, the files'
# times in this checkout; and in marts.agg_submission_completeness what is derived from the
# day a file was received (a file without Ngày lập) or the day of the load (as_of).
RUNTIME_COLUMNS = {
    "received_at", "run_id", "file_mtime",      # raw.submissions, audit.submissions
    "submitted_on", "on_time", "state",         # marts.agg_submission_completeness
    # when a publish happened (raw.published_*, marts.fct_published_figures, fct_revisions, rpt_revisions)
    "published_at", "first_published_at", "previous_published_at", "revised_at",
}
# ... and the reporting layer's columns derived from those: when the data was loaded, and
# completeness (its states, their labels and counts, days late) judged against the load's day
RUNTIME_TABLE_COLUMNS = {
    "marts.rpt_reporting_period": {"loaded_at"},
    "marts.rpt_completeness": {"state_label_vi", "state_label_en", "state_order", "days_late"},
    "marts.rpt_completeness_month": {"units_on_time", "units_late", "units_missing", "units_rejected_only",
                                     "units_not_due", "units_without_report"},
}
RUNTIME_TABLES = {"raw.load_state"}   # ledger version and publish markers
INTERNAL_SCHEMAS = ("raw",)
PUBLISHED_SCHEMAS = ("marts", "audit")


def _table_fingerprint(con, table: str) -> dict:
    runtime = RUNTIME_COLUMNS | RUNTIME_TABLE_COLUMNS.get(table, set())
    columns = [name for name, in con.execute(
        "select column_name from information_schema.columns where table_schema || '.' || table_name = ? "
        "order by ordinal_position", [table]).fetchall() if name not in runtime]
    quoted = ", ".join(f'"{c}"' for c in columns)
    rows = con.execute(f"select {quoted} from {table} order by all nulls first").fetchall() if columns else []
    hashes = {}
    for index, column in enumerate(columns):
        digest = hashlib.sha256()
        for row in rows:
            digest.update(repr(row[index]).encode())
            digest.update(b"\0")
        hashes[column] = digest.hexdigest()[:16]
    return {"rows": len(rows), "columns": hashes}


def _database(path: Path, schemas: tuple[str, ...]) -> dict:
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [f"{s}.{t}" for s, t in con.execute(
            "select table_schema, table_name from information_schema.tables where table_schema in ? "
            "order by 1, 2", [list(schemas)]).fetchall()]
        return {t: _table_fingerprint(con, t) for t in tables if t not in RUNTIME_TABLES}
    finally:
        con.close()


def _feedback(folder: Path) -> dict:
    from python_calamine import CalamineWorkbook

    out = {}
    for path in sorted(folder.rglob("*.xlsx")):
        book = CalamineWorkbook.from_path(str(path))
        digest = hashlib.sha256()
        for name in book.sheet_names:
            digest.update(name.encode())
            digest.update(repr(book.get_sheet_by_name(name).to_python()).encode())
        out[str(path.relative_to(folder))] = digest.hexdigest()[:16]
    return out


def fingerprint(warehouse_dir: Path) -> dict:
    from pipeline.warehouse import store

    return {
        "internal": _database(store.internal_path(warehouse_dir), INTERNAL_SCHEMAS),
        "published": _database(store.bi_path(warehouse_dir), PUBLISHED_SCHEMAS),
        "feedback": _feedback(store.feedback_dir(warehouse_dir)),
    }


def differences(expected: dict, found: dict, prefix: str = "") -> list[str]:
    """Readable paths where two fingerprints differ."""
    out = []
    for key in sorted(set(expected) | set(found)):
        a, b = expected.get(key), found.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            out += differences(a, b, f"{prefix}{key}/")
        elif a != b:
            out.append(f"{prefix}{key}: expected {a!r}, found {b!r}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.fingerprint", description=__doc__.split("\n\n")[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--write", type=Path, help="write the fingerprint to this JSON file")
    parser.add_argument("--check", type=Path, help="compare with this JSON file; exit 1 when different")
    args = parser.parse_args(argv)
    found = fingerprint(args.warehouse)
    text = json.dumps(found, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if args.write:
        args.write.write_text(text, encoding="utf-8")
    if args.check:
        diff = differences(json.loads(args.check.read_text(encoding="utf-8")), found)
        print("\n".join(diff) or "identical")
        return 1 if diff else 0
    if not args.write:
        print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
