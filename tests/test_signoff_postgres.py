"""Sign-off on the PostgreSQL target (issue 26, item 6): the story of tests/test_signoff.py through the same commands
with --warehouse-url, on a throwaway cluster (tests/pg.py): approve, a correction that waits, approve again with the
revision recorded, `figures --as-of`, `approvals`, bad input refused; the approvals and published figures live in
the database's raw schema, what BI reads in marts and audit."""
from __future__ import annotations

import pytest

from test_signoff import BY, M, cli, corrections, first_files, published_block
from runner import run_load

pytestmark = pytest.mark.slow   # real CLI loads and sign-offs on PostgreSQL


def rows(url: str, sql: str, params=None) -> list[tuple]:
    from pipeline.warehouse.pg import PgConnection

    con = PgConnection(url)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def pg_story(tmp_path_factory, pg_cluster):
    url = pg_cluster.create_database("signoff_story")
    root = tmp_path_factory.mktemp("signoff_pg")
    src, warehouse = root / "sources", root / "warehouse"
    target = ["--warehouse", str(warehouse), "--warehouse-url", url]
    first_files(src)
    seen = {"load": run_load(src, warehouse, "--warehouse-url", url)}
    assert seen["load"].returncode == 0, seen["load"].stderr[-3000:]
    seen["approve"] = cli("approve", "--period", "2025-09", "--unit", "03646", "--as-of", "2025-10-20", "--by", BY,
                          *target)
    assert seen["approve"].returncode == 0, seen["approve"].stderr[-3000:]
    [(seen["first_publish"],)] = rows(url, "select max(published_at) from marts.fct_published_figures")
    seen["houses_before"] = rows(url, "select household_id, total_vnd, approval_status from marts.fct_houses "
                                      "where commune_code = '03646' order by 1")
    corrections(src)
    seen["load2"] = run_load(src, warehouse, "--warehouse-url", url)
    assert seen["load2"].returncode == 0, seen["load2"].stderr[-3000:]
    seen["houses_pending"] = rows(url, "select household_id, total_vnd, approval_status from marts.fct_houses "
                                       "where commune_code = '03646' order by 1")
    seen["pending"] = rows(url, "select unit_code, sheet_kind, file_name, figures_before_after "
                                "from audit.pending_revisions order by 1, 2")
    seen["listing"] = cli("approvals", "--period", "2025-09", *target)
    seen["refused"] = cli("approve", "--period", "2025-09", "--unit", "99999", "--by", BY, *target)
    seen["approve_again"] = cli("approve", "--period", "2025-09", "--unit", "03646", "--by", BY, *target)
    assert seen["approve_again"].returncode == 0, seen["approve_again"].stderr[-3000:]
    seen["revision"] = rows(url, "select previous_value, new_value, previous_approval_status, new_approval_status "
                                 "from marts.fct_revisions where figure_key = 'houses_completed_vnd||month|2025-09-01|03646'")
    seen["raw"] = rows(url, "select (select count(*) from raw.approval_events), (select count(*) from raw.approval_pins), "
                            "(select count(distinct published_at) from raw.published_figures)")
    seen["figures_then"] = cli("figures", "--as-of", seen["first_publish"].isoformat(sep="T", timespec="seconds"),
                               *target)
    return url, seen


def test_a_correction_waits_and_the_marts_keep_the_approved_figures(pg_story):
    _, seen = pg_story
    assert seen["houses_pending"] == seen["houses_before"] == [
        ("03646-2025-011", 60 * M, "approved"), ("03646-2025-012", 60 * M, "approved")]
    assert ("03646", "houses", "03646/bao_cao_09_2025_lan2.xlsx", "houses_completed_vnd: 60000000 -> 57000000") \
        in seen["pending"]
    assert "Sign-off of 2025-09: 75 units, approved 0, pending 1, provisional 74" in seen["listing"].stdout


def test_approving_again_adopts_it_and_records_the_revision(pg_story):
    _, seen = pg_story
    assert seen["revision"] == [(60 * M, 57 * M, "approved", "approved")]
    events, pins, publishes = seen["raw"][0]
    assert (events, pins) == (2, 4) and publishes >= 3   # two approvals (houses, grants pinned each); three publishes


def test_figures_as_of_the_first_publish_and_bad_input_on_postgresql(pg_story):
    _, seen = pg_story
    assert published_block(seen["figures_then"].stdout) == published_block(seen["approve"].stdout)
    assert seen["refused"].returncode == 2 and "unknown reporting unit 99999" in seen["refused"].stderr
