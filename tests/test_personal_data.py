"""Personal data (household heads, ID numbers, who prepared a report) stays in the internal raw layer.

A real load (the CLI, in a subprocess, with a Dagster instance so the run's event log is kept)
over workbooks carrying names and ID numbers, also in rejected rows and a rejected file; then
every text column of bi.duckdb, every Parquet file, every feedback workbook, every other file
the load wrote outside warehouse/internal, the Dagster run storage and the CLI's own output are
scanned for those values.
"""
from __future__ import annotations

import os
import stat

import duckdb
import openpyxl
import pytest

from runner import run_load
from workbooks import cover_rows, house, submission

pytestmark = pytest.mark.slow   # real CLI loads: the full tier only

HEADS = ["Lò Văn Mười Hai", "Cà Thị Hoa Ban", "Quàng Văn Bảy Tám", "Điêu Thị Sáu Chín", "Hà Văn Trùng Lặp"]
IDS = ["014099123456", "014099654321", "014099111222", "014099333444", "014099555666"]
PREPARED_BY = "Nguyễn Thị Người Lập Biểu"


def secrets() -> list[str]:
    values = [*HEADS, *IDS, PREPARED_BY]
    values += [i.lstrip("0") for i in IDS]                 # an ID read as a number loses its leading zero
    values += [f"{i[:4]} {i[4:8]} {i[8:]}" for i in IDS]   # as written with spaces
    return values


def find_secrets(text: str) -> list[str]:
    return [s for s in secrets() if s in text]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    root = tmp_path_factory.mktemp("personal")
    sources, warehouse, dagster_home = root / "sources", root / "warehouse", root / "dagster_home"
    dagster_home.mkdir()
    cover = cover_rows(period="03/2025") + [["Người lập", PREPARED_BY]]
    submission(sources / "116_2025-03.xlsx", cover=cover, houses=[
        # loaded
        house("P1", head=HEADS[0], national_id=IDS[0], no=1),
        # rejected: malformed ID (13 digits), and the clerk typed the ID into the name as well
        house("P2", head=f"{HEADS[1]} {IDS[1]}", national_id=f"{IDS[1][:4]} {IDS[1][4:8]} {IDS[1][8:]}9", no=2),
        # rejected for a non-personal reason: unknown category
        house("P3", head=HEADS[2], national_id=IDS[2], category="Hộ giàu", no=3),
        # the same household id twice: both rows rejected by the row rules
        house("P5", head=HEADS[4], national_id=IDS[4], no=4),
        house("P5", head=HEADS[4] + " B", national_id=IDS[4][:-1] + "7", no=5),
    ])
    # a whole file rejected: no row loadable
    submission(sources / "118_2025-02.xlsx", district="118", period="02/2025", houses=[
        house("R1", commune="03682", name="Xã Mường Chiên", head=HEADS[3], national_id=IDS[3] + "x",
              category="không rõ", done=dt_date(2025, 1, 20)),
    ])
    result = run_load(sources, warehouse, env={"DAGSTER_HOME": str(dagster_home)})
    assert result.returncode == 0, result.stderr[-3000:]
    return {"warehouse": warehouse, "result": result, "dagster_home": dagster_home}


def dt_date(*args):
    import datetime
    return datetime.date(*args)


def test_load_kept_the_personal_rows_inside(loaded):
    """The values are really in the raw layer (so the scans below are meaningful)."""
    con = duckdb.connect(str(loaded["warehouse"] / "internal" / "warehouse.duckdb"), read_only=True)
    try:
        heads = {h for (h,) in con.execute("select household_head from raw.houses").fetchall()}
        statuses = dict(con.execute("select file_name, status from raw.submissions").fetchall())
        rejected = con.execute("select count(*) from raw.rejected_rows").fetchone()[0]
    finally:
        con.close()
    assert HEADS[0] in heads
    assert statuses == {"116_2025-03.xlsx": "accepted_with_errors", "118_2025-02.xlsx": "rejected"}
    assert rejected >= 4


def test_bi_duckdb_has_no_personal_values(loaded):
    con = duckdb.connect(str(loaded["warehouse"] / "bi.duckdb"), read_only=True)
    try:
        columns = con.execute("select table_schema, table_name, column_name from information_schema.columns "
                              "where table_catalog = 'bi'").fetchall()
        assert columns
        for schema, table, column in columns:
            values = con.execute(f'select distinct cast("{column}" as varchar) from {schema}."{table}"').fetchall()
            text = "\n".join(v for (v,) in values if v is not None)
            assert not find_secrets(text), (schema, table, column, find_secrets(text))
        names = {c for _, _, c in columns}
        assert not names & {"household_head", "national_id", "prepared_by"}
        # the rejected rows are published, with their personal values withheld
        rows = con.execute('select "column", value from audit.rejected_rows').fetchall()
        assert rows
    finally:
        con.close()


def test_parquet_files_have_no_personal_values(loaded):
    files = sorted((loaded["warehouse"] / "parquet").glob("*.parquet"))
    assert any(f.name == "audit.rejected_rows.parquet" for f in files)
    for path in files:
        con = duckdb.connect()
        try:
            columns = [c for (c, *_) in con.execute(f"describe select * from read_parquet('{path}')").fetchall()]
            for column in columns:
                values = con.execute(f"select distinct cast(\"{column}\" as varchar) from read_parquet('{path}')").fetchall()
                text = "\n".join(v for (v,) in values if v is not None)
                assert not find_secrets(text), (path.name, column, find_secrets(text))
        finally:
            con.close()


def test_feedback_workbooks_have_no_personal_values(loaded):
    folder = loaded["warehouse"] / "feedback"
    workbooks = sorted(folder.rglob("*.xlsx")) if folder.exists() else []
    try:
        import pipeline.feedback  # noqa: F401  (written by the ingest when the module exists)
        assert workbooks, "expected feedback workbooks for the submissions with rejected rows"
    except ImportError:
        pass
    for path in workbooks:
        book = openpyxl.load_workbook(path)
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.value is not None:
                        assert not find_secrets(str(cell.value)), (path.name, sheet.title, cell.coordinate)


def test_no_other_published_file_holds_personal_values(loaded):
    """Everything the load wrote outside internal/ (lock file, temp leftovers, …), as raw bytes."""
    warehouse = loaded["warehouse"]
    for path in warehouse.rglob("*"):
        if not path.is_file() or "internal" in path.relative_to(warehouse).parts:
            continue
        if path.suffix in (".duckdb", ".parquet", ".xlsx"):
            continue   # compressed: scanned by value above
        text = path.read_bytes().decode("utf-8", errors="replace")
        assert not find_secrets(text), (path, find_secrets(text))


def test_logs_have_no_personal_values(loaded):
    result = loaded["result"]
    assert not find_secrets(result.stdout), find_secrets(result.stdout)
    assert not find_secrets(result.stderr), find_secrets(result.stderr)
    # the Dagster run storage (event logs the UI shows), as raw bytes
    for path in loaded["dagster_home"].rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", errors="replace")
            assert not find_secrets(text), (path, find_secrets(text))


def test_internal_warehouse_is_owner_only(loaded):
    internal = loaded["warehouse"] / "internal"
    assert stat.S_IMODE(internal.stat().st_mode) == 0o700
    assert stat.S_IMODE((internal / "warehouse.duckdb").stat().st_mode) == 0o600


def test_internal_warehouse_owner_only_even_with_open_umask(tmp_path):
    from pipeline.warehouse import store as warehouse

    old = os.umask(0)
    try:
        con = warehouse.connect(tmp_path / "w")
        con.close()
    finally:
        os.umask(old)
    internal = tmp_path / "w" / "internal"
    assert stat.S_IMODE(internal.stat().st_mode) == 0o700
    assert stat.S_IMODE((internal / "warehouse.duckdb").stat().st_mode) == 0o600


def test_committed_sources_are_owner_only():
    """scripts/setup (which the README's commands and CI run) makes sources/ owner-only."""
    import stat
    from pathlib import Path

    sources = Path(__file__).resolve().parent.parent / "sources"
    loose = [p for p in [sources, *sources.rglob("*")] if stat.S_IMODE(p.stat().st_mode) & 0o077]
    assert loose == [], loose[:5]
