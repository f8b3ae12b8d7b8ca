"""The load logs (pipeline/runlog.py): one per load, the last 30 kept, and what `status` reads back."""
from __future__ import annotations

import os
import subprocess
import sys

from pipeline import runlog


def _log(warehouse, name: str, *lines: str):
    folder = runlog.logs_dir(warehouse)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("".join(f"2026-12-07 01:00:00 INFO    load: {line}\n" for line in lines), encoding="utf-8")
    return path


def test_the_last_30_logs_are_kept_older_ones_removed(tmp_path):
    names = [f"load-202612{day:02d}-010000-000.log" for day in range(1, 36)]
    for name in reversed(names):   # written in any order: the names tell the time
        _log(tmp_path, name, "x")
    (runlog.logs_dir(tmp_path) / "notes.txt").write_text("an operator's own file")
    removed = runlog.prune(tmp_path)
    assert [p.name for p in removed] == names[:5]
    kept = sorted(p.name for p in runlog.logs_dir(tmp_path).iterdir())
    assert kept == sorted(names[5:] + ["notes.txt"])


def test_new_log_names_sort_by_time_and_never_collide(tmp_path):
    paths = []
    for _ in range(5):
        path = runlog.new_log_path(tmp_path)
        path.write_text("")
        paths.append(path)
    assert len(set(paths)) == 5 and sorted(paths) == paths
    assert all(len(p.name) == len(paths[0].name) for p in paths)


def test_a_load_record_tells_finished_running_or_unfinished(tmp_path):
    finished = _log(tmp_path, "load-20261205-010000-000.log", runlog.started_line(sources="s"), "dbt: 1 of 2 OK",
                    runlog.finished_line(exit=4, seconds=3.5, new_entries=2, rejected=[{"file": "a.xlsx"}]))
    record = runlog.read_record(finished)
    assert record.state == "finished" and record.finished["exit"] == 4 and record.finished["rejected"][0]["file"] == "a.xlsx"
    assert record.started["pid"] == os.getpid() and record.started["started"].endswith("+07:00")

    running = _log(tmp_path, "load-20261206-010000-000.log", runlog.started_line())   # this process: alive
    assert runlog.read_record(running).state == "running"

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    line = runlog.started_line().replace(f'"pid": {os.getpid()}', f'"pid": {int(gone.stdout)}')
    killed = _log(tmp_path, "load-20261207-010000-000.log", line, "dbt: 1 of 2 OK")
    assert runlog.read_record(killed).state == "unfinished"

    assert [r.path for r in runlog.recent_loads(tmp_path)] == [killed, running, finished]
