"""The PostgreSQL warehouse's pieces, without a full load: the URL, the COPY encoding (round-tripped
through a real server), dbt's target and environment, the CLI's argument check, the publish swap."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pandas as pd
import pytest

from pipeline import transform
from pipeline.warehouse import pg, pg_publish, store
from runner import REPO


def test_url_parts_and_display_hide_the_password():
    url = "postgresql://loader:p%40ss%3Aw0rd@db.internal:6543/son_la"
    assert pg.url_parts(url) == {"host": "db.internal", "port": "6543", "user": "loader", "password": "p@ss:w0rd",
                                 "dbname": "son_la"}
    assert pg.display_url(url) == "postgresql://loader@db.internal:6543/son_la"
    assert pg.is_postgres_url(url) and pg.is_postgres_url("postgres://x@h/d")
    assert not pg.is_postgres_url("duckdb:///x.db") and not pg.is_postgres_url(None)


def test_dbt_gets_the_postgres_target_and_a_secret_password(tmp_path):
    url = "postgresql://loader:secret@db:5432/son_la"
    args = transform.build_args(tmp_path, dt.date(2025, 3, 15), warehouse_url=url)
    assert args[args.index("--target") + 1] == "postgres"
    assert "secret" not in " ".join(args)   # never on dbt's command line (logged, shown in the UI)
    env = transform.dbt_env(url)
    assert env["DBT_ENV_SECRET_PIPELINE_PG_PASSWORD"] == "secret"   # dbt scrubs DBT_ENV_SECRET_* from logs
    assert (env["PIPELINE_PG_HOST"], env["PIPELINE_PG_PORT"], env["PIPELINE_PG_DBNAME"]) == ("db", "5432", "son_la")
    assert "--target" not in transform.build_args(tmp_path, dt.date(2025, 3, 15)) and transform.dbt_env(None) == {}


def test_cli_refuses_a_warehouse_url_that_is_not_postgresql(tmp_path):
    (tmp_path / "sources").mkdir()
    done = subprocess.run([sys.executable, "-m", "pipeline", "load", "--sources", str(tmp_path / "sources"),
                           "--warehouse", str(tmp_path / "wh"), "--warehouse-url", "mysql://x@y/z"],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "postgresql://" in done.stderr


def test_copy_round_trips_every_raw_type(pg_database):
    """NULL vs empty text, quotes, commas, newlines, Vietnamese, integers kept as float by pandas,
    dates and timestamps: what goes in by COPY comes back the same."""
    con = store.connect(None, url=pg_database)
    try:
        frame = pd.DataFrame({
            "submission_id": ["s1", "s2"], "sheet": ["Nhà ở", 'a "quoted", line\nbreak'], "sheet_kind": ["houses", ""],
            "excel_row": [17.0, None], "column": [None, "Mã hộ"], "cell": ["'Nhà ở'!K17", None],
            "value": ["", "=1+1"], "message": ["m", "m2"], "message_vi": [None, "Sai"]})
        con.execute("begin transaction")
        store.insert_rows(con, "warnings", frame)
        con.execute("commit")
        rows = con.execute('select submission_id, sheet, sheet_kind, excel_row, "column", cell, value, message_vi '
                           "from raw.warnings order by submission_id").fetchall()
        assert rows == [("s1", "Nhà ở", "houses", 17, None, "'Nhà ở'!K17", "", None),
                        ("s2", 'a "quoted", line\nbreak', "", None, "Mã hộ", None, "=1+1", "Sai")]
        ledger = dict.fromkeys(store.raw_columns()["submissions"])
        ledger.update(submission_id="s1", file_name="a.xlsx", file_sha256="ab", file_mtime=pd.Timestamp("2025-04-05 10:11:12.123456"),
                      received_at=dt.datetime(2025, 4, 6), period=dt.date(2025, 3, 1), outcome="accepted", status="accepted",
                      rows_read=0, rows_loaded=0, rows_rejected=0, rows_skipped=0, warnings=0)
        store.write_batch(con, [ledger], {})
        assert con.execute("select file_mtime, period, status from raw.submissions").fetchall() == [
            (dt.datetime(2025, 4, 5, 10, 11, 12, 123456), dt.date(2025, 3, 1), "accepted")]
        assert store.known_files(con)[0] == {("a.xlsx", None, "2025-04-05T10:11:12.123456"): "ab"}
    finally:
        con.close()


def test_a_failed_batch_leaves_nothing(pg_database):
    con = store.connect(None, url=pg_database)
    try:
        bad = pd.DataFrame({"submission_id": ["s1"], "excel_row": ["not a number"], "household_id": ["h"]})
        with pytest.raises(Exception):
            store.write_batch(con, [], {"houses": bad})
        assert con.execute("select count(*) from raw.houses").fetchone()[0] == 0
        assert store.get_state(con, "ledger_version") is None
    finally:
        con.close()


def test_publish_swaps_build_schemas_in_one_go_and_grants_the_bi_role(pg_cluster, pg_database):
    con = store.connect(None, url=pg_database)
    role = "bi_reader_swap_test"
    try:
        pg_cluster.execute(f"drop role if exists {role}")
        pg_cluster.execute(f"create role {role} nologin")
        for generation in (1, 2):
            for schema in ("marts__build", "audit__build"):
                con.execute(f"create schema {schema}")
                con.execute(f"create table {schema}.t as select {generation} as generation")
            # what the steps after dbt read (its check on audit.outliers, the feedback): the build, until published
            assert store.built_schema(con, "audit") == "audit__build"
            tables, granted = pg_publish.publish(con, role=role)
            assert tables == ["audit.t", "marts.t"] and granted == role
            assert store.built_schema(con, "audit") == "audit"
            assert con.execute("select generation from marts.t").fetchall() == [(generation,)]
            assert con.execute("select nspname from pg_namespace where nspname like '%\\_\\_%' ").fetchall() == []
            assert con.execute(f"select has_table_privilege('{role}', 'marts.t', 'SELECT'), "
                               f"has_schema_privilege('{role}', 'audit', 'USAGE')").fetchone() == (True, True)
        con.execute("create schema marts__build")
        con.execute("create table marts__build.people (household_head varchar)")
        con.execute("create schema audit__build")
        with pytest.raises(RuntimeError, match="personal data"):
            pg_publish.publish(con, role=role)
        assert con.execute("select generation from marts.t").fetchall() == [(2,)]   # the published one stays
    finally:
        con.close()


def test_a_second_load_of_the_same_database_is_told_busy(pg_cluster, pg_database, tmp_path):
    """Two warehouse folders (two hosts), one database: the advisory lock turns the second away (exit 3)."""
    from pipeline.warehouse.lock import ADVISORY_LOCK_KEY

    (tmp_path / "sources").mkdir()
    holder = pg_cluster.connect(pg_database.rsplit("/", 1)[1])
    try:
        with holder.cursor() as cur:
            cur.execute("select pg_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
        done = subprocess.run([sys.executable, "-m", "pipeline", "load", "--sources", str(tmp_path / "sources"),
                               "--warehouse", str(tmp_path / "other_host"), "--warehouse-url", pg_database],
                              cwd=REPO, capture_output=True, text=True, timeout=120)
    finally:
        holder.close()
    assert done.returncode == 3, done.stderr
    assert "another load is writing postgresql://postgres@127.0.0.1" in done.stderr
    assert pg_cluster.password not in done.stderr + done.stdout


def test_the_ui_resource_reads_the_url_from_the_environment_at_run_time(monkeypatch):
    from pipeline.defs.resources import default_warehouse

    monkeypatch.setenv("PIPELINE_WAREHOUSE_URL", "postgresql://loader:pw@db:5432/son_la")
    resource = default_warehouse().process_config_and_initialize()
    assert resource.on_postgres and resource.warehouse_url == "postgresql://loader:pw@db:5432/son_la"
    monkeypatch.delenv("PIPELINE_WAREHOUSE_URL")
    assert not default_warehouse().process_config_and_initialize().on_postgres


def test_a_registered_frame_is_a_table_for_sql_as_on_duckdb(pg_database):
    """con.register(name, frame) / unregister(name), as the ingest uses them on DuckDB."""
    con = store.connect(None, url=pg_database)
    try:
        frame = pd.DataFrame({"household_id": ["H1", "H2", None], "n": [1, 2, 3], "share": [0.5, None, 1.0],
                              "seen": pd.to_datetime(["2025-01-02 03:04:05", None, "2025-02-01 00:00:00"]),
                              "ok": [True, False, True]})
        con.register("ids_frame", frame)
        rows = con.execute("select household_id, n, share, seen, ok from ids_frame where n >= ? order by n",
                           [2]).fetchall()
        assert rows == [("H2", 2, None, None, False), (None, 3, 1.0, dt.datetime(2025, 2, 1), True)]
        con.register("ids_frame", frame.head(1))   # registering again replaces it
        assert con.execute("select count(*) from ids_frame").fetchone()[0] == 1
        con.unregister("ids_frame")
        assert con.execute("select to_regclass('ids_frame')").fetchone()[0] is None
    finally:
        con.close()
