"""The load's console for people (pipeline/console.py), through the real command: in a pseudo-terminal
(progress bars, a line per phase, the summary, then the report's line and paths, at most 40 lines),
through a pipe (plain lines, no escape codes), --quiet (the summary and errors only), --verbose
(Dagster's and dbt's lines), and the run's log file (dbt's node lines, the libraries' warnings, which
the console never shows)."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from runner import REPO, run_load
from terminal import ESCAPE, screen_lines

pytestmark = pytest.mark.slow   # real CLI loads

PHASE_LINE = re.compile(r"^[✓–✗] (discover|read and check|transform|publish|feedback|report) ")
LOAD_PHASES = ["discover", "read and check", "transform", "publish", "feedback"]
DBT_NODE_LINE = re.compile(r" dbt: \d+ of \d+ (OK|PASS|NO-OP|START)")


def _log(warehouse: Path) -> str:
    [log] = sorted((warehouse / "logs").glob("load-*.log"))   # one load, one log
    return log.read_text(encoding="utf-8")


def test_on_a_terminal_a_demo_load_shows_progress_and_prints_at_most_40_lines(terminal_demo_load):
    warehouse, code, received = terminal_demo_load
    assert received.count(b"\n") <= 40
    lines = screen_lines(received)
    assert lines[0].startswith("load: sources ")
    phases = [PHASE_LINE.match(line).group(1) for line in lines if PHASE_LINE.match(line)]
    assert phases == [*LOAD_PHASES, "report"]
    assert all(line.startswith("✓") for line in lines[1:6])
    summary = lines.index(next(line for line in lines if line.startswith("Summary (")))
    # the load ends with its summary; the report follows, built by another process once the load's has exited
    report = warehouse / "report"
    assert summary == 6 and lines[-5] == f"  log: {sorted((warehouse / 'logs').glob('load-*.log'))[0]}"
    assert re.match(r"✓ report +report, PDF, data dictionary  \(\d+\.\d s\)$", lines[-4])
    assert lines[-3:] == [f"  report: {report / 'index.html'}", f"  report PDF: {report / 'report.pdf'}",
                          f"  data dictionary: {report / 'data-dictionary.html'}"]
    # the bars, as they were drawn (each redraw after a carriage return, then erased)
    drawn = ESCAPE.sub("", received.decode("utf-8", errors="replace"))
    assert re.search(r"read and check .*\d+/1991 files  \d+ files/s  \d\d:\d\d left", drawn)
    assert re.search(r"transform .*\d+/\d+ nodes  \d+ nodes/s", drawn)
    assert b"\x1b[" in received   # colour and redraws: it knew it was on a terminal


def test_through_a_pipe_plain_lines_and_no_escape_codes(demo_load):
    warehouse, done = demo_load
    assert "\x1b" not in done.stdout and "\x1b" not in done.stderr
    err = done.stderr.splitlines()
    assert err[0].startswith("load: sources ")
    assert [PHASE_LINE.match(line).group(1) for line in err[1:]] == [*LOAD_PHASES, "report"]
    assert done.stdout.startswith("Summary (")
    assert len(done.stdout.splitlines()) + len(err) <= 40
    for quiet_about in ("PreviewWarning", "dagster - INFO", "START sql"):
        assert quiet_about not in done.stdout + done.stderr
    assert not re.search(r"\d+ of \d+ ", done.stdout + done.stderr)   # no dbt node lines


def test_the_log_holds_dbt_node_lines_library_warnings_and_what_the_run_came_to(demo_load):
    warehouse, done = demo_load
    log = _log(warehouse)
    nodes = int(re.search(r" dbt: 1 of (\d+) START ", log).group(1))
    assert len([line for line in log.splitlines() if DBT_NODE_LINE.search(line)]) >= 2 * (nodes - 2) > 400
    assert re.search(rf"dbt: {nodes} of {nodes} (PASS|OK|NO-OP) ", log)   # the last node, whichever dbt runs last
    assert re.search(rf"dbt: \d+ of {nodes} NO-OP exposure bi_warehouse ", log)
    assert "PreviewWarning" in log and "py.warnings" in log          # a library's warning: the log, not the console
    assert "STEP_SUCCESS" in log and "ingested 1994/1994 new files" in log
    assert log.splitlines()[0].split(": ", 2)[1] == "load started"
    assert '"exit": 0' in log.splitlines()[-1] and "load finished" in log.splitlines()[-1]
    assert not ESCAPE.search(log)
    assert f"  log: {sorted((warehouse / 'logs').glob('load-*.log'))[0]}\n" in done.stdout
    assert log.count("provincial_report") == 0   # the report is not the load's: another process, after it


@pytest.fixture(scope="module")
def small_sources(tmp_path_factory) -> Path:
    """Four of the demo's workbooks, one of them rejected (a month 13)."""
    folder = tmp_path_factory.mktemp("small") / "sources"
    folder.mkdir()
    for path in sorted((REPO / "sources" / "demo" / "116" / "2023").glob("bao_cao_116_2023_0[1-3].xlsx")):
        shutil.copy(path, folder / path.name)
    shutil.copy(REPO / "sources" / "demo" / "bao_cao_119_2024_13.xlsx", folder)
    return folder


def test_quiet_prints_the_summary_only_and_the_last_30_logs_are_kept(small_sources, tmp_path):
    warehouse = tmp_path / "warehouse"
    (warehouse / "logs").mkdir(parents=True)
    old = [warehouse / "logs" / f"load-202611{day:02d}-010000-000.log" for day in range(1, 31)]   # 30 earlier loads
    for path in old:
        path.write_text("an earlier load\n")
    done = run_load(small_sources, warehouse, "--quiet")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.startswith("Summary (") and "  log: " in done.stdout
    logs = sorted((warehouse / "logs").glob("load-*.log"))
    assert len(logs) == 30 and logs[:-1] == old[1:]   # the oldest removed, the new one kept
    # the summary ends with the log; the report's paths follow (built after the load), no phase line
    assert f"  log: {logs[-1]}\n  report: {warehouse / 'report' / 'index.html'}\n" in done.stdout
    assert done.stdout.rstrip().endswith(f"  data dictionary: {warehouse / 'report' / 'data-dictionary.html'}")


def test_quiet_still_prints_errors(small_sources, tmp_path):
    """A load that fails (the raw layer cannot be written): the error, then the summary, exit 4."""
    warehouse = tmp_path / "warehouse"
    (warehouse / "internal").mkdir(parents=True)
    (warehouse / "internal" / "warehouse.duckdb").write_bytes(b"not a database")
    done = run_load(small_sources, warehouse, "--quiet")
    assert done.returncode == 4
    errors = done.stderr.splitlines()
    assert errors and all(line.startswith("error: ") for line in errors), done.stderr
    assert done.stdout.startswith("Summary (")


def test_verbose_shows_dagster_and_dbt_lines(small_sources, tmp_path):
    done = run_load(small_sources, tmp_path / "warehouse", "--verbose")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "ingest_submissions: 4 files found: 4 new" in done.stderr
    assert re.search(r"^1 of \d+ START ", done.stderr, re.M) and re.search(r"^Done. PASS=\d+ WARN=0 ERROR=0", done.stderr, re.M)
    assert "\x1b" not in done.stderr   # a pipe: no colours, dbt's neither
    assert "PreviewWarning" not in done.stderr   # library warnings stay in the log, even in verbose
