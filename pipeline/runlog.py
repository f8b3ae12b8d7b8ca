"""The log file of every load: <warehouse>/logs/load-<YYYYMMDD-HHMMSS-mmm>.log, the last 30 kept.

The console (pipeline/console.py) writes the full log of a run there: Dagster's and dbt's lines and
the libraries' warnings. Two lines in it are for programs: the first (`load started: {json}`) and
the last (`load finished: {json}`: exit code, duration, files and rows, the files rejected). `python
-m pipeline status` reads them, because a load that failed published nothing to read instead.
Times are Son La's (config.LOCAL_TZ), with their offset.
"""
from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import config

LOGS_KEPT = 30
STARTED, FINISHED = "load started: ", "load finished: "
PATTERN = "load-*.log"


def logs_dir(warehouse_dir: Path) -> Path:
    return warehouse_dir / "logs"


def new_log_path(warehouse_dir: Path, kind: str = "load") -> Path:
    """A fresh log file's path, named by the start time in Son La to the millisecond: the names
    all have one length, so they sort by time. kind: load, or approve (a sign-off, `status` reads loads only)."""
    folder = logs_dir(warehouse_dir)
    folder.mkdir(parents=True, exist_ok=True)
    now = config.local_now()
    while True:
        path = folder / f"{kind}-{now:%Y%m%d-%H%M%S}-{now.microsecond // 1000:03d}.log"
        if not path.exists():
            return path
        now += dt.timedelta(milliseconds=1)


def prune(warehouse_dir: Path, keep: int = LOGS_KEPT, pattern: str = PATTERN) -> list[Path]:
    """Remove all but the newest `keep` load logs (or those of `pattern`); the removed paths."""
    logs = sorted(logs_dir(warehouse_dir).glob(pattern))
    old = logs[:max(0, len(logs) - keep)]
    for path in old:
        path.unlink(missing_ok=True)
    return old


def started_line(**facts) -> str:
    return STARTED + json.dumps({"started": config.local_now().isoformat(timespec="seconds"), "pid": os.getpid(),
                                 **facts}, ensure_ascii=False, default=str)


def finished_line(**facts) -> str:
    return FINISHED + json.dumps({"ended": config.local_now().isoformat(timespec="seconds"), **facts},
                                 ensure_ascii=False, default=str)


@dataclass
class LoadRecord:
    """One load as its log tells it; `finished` is empty while it runs or when it was killed."""

    path: Path
    started: dict = field(default_factory=dict)
    finished: dict = field(default_factory=dict)

    @property
    def state(self) -> str:
        """finished, running (its process is alive) or unfinished (killed, or the machine stopped)."""
        if self.finished:
            return "finished"
        return "running" if _alive(self.started.get("pid")) else "unfinished"


def _alive(pid) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:   # someone else's process: alive
        return True
    return True


def read_record(path: Path) -> LoadRecord:
    record = LoadRecord(path)
    with path.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            text = line.rstrip("\n")
            for mark, attribute in ((STARTED, "started"), (FINISHED, "finished")):
                at = text.find(mark)
                if at >= 0:
                    try:
                        setattr(record, attribute, json.loads(text[at + len(mark):]))
                    except json.JSONDecodeError:   # a line cut short by a kill
                        pass
    return record


def recent_loads(warehouse_dir: Path, limit: int = LOGS_KEPT) -> list[LoadRecord]:
    """The loads whose logs are kept, newest first."""
    logs = sorted(logs_dir(warehouse_dir).glob(PATTERN), reverse=True)[:limit]
    return [read_record(path) for path in logs]
