"""The load's console, for people: one line per phase (discover, read and check, transform, publish,
feedback), progress bars where the work is long, then the summary; the full log in a file. (The
report follows in a process of its own: pipeline/cli.py prints its line.)

On a terminal the phase at work is a `rich` progress line (files x / N with rate and time left, dbt
nodes x / N), replaced by the phase's line when it ends. Not on a terminal (cron, a pipe): the
phase lines only, plain text, no escape codes. `verbose` adds Dagster's and dbt's log lines as they
come; `quiet` prints errors only (the CLI prints the summary). Whatever is shown, the run's log file
(pipeline/runlog.py) gets everything: Dagster's events and messages, dbt's lines, and the warnings
of the libraries (Python's `warnings`, e.g. Dagster's PreviewWarning), which never reach the console.

What it listens to: the Dagster run's records through a logger definition the CLI gives the job
(events: a step started, ended, was skipped or failed, an asset was materialized; progress numbers
the ingest asset attaches to its messages), and dbt's lines as records of the logger pipeline.dbt
(pipeline/transform.py forwards them, with "x of N" on the lines of nodes that finished).
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import re
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console as RichConsole
from rich.progress import BarColumn, Progress, ProgressColumn, SpinnerColumn, TextColumn
from rich.text import Text

from pipeline import config

QUIET, NORMAL, VERBOSE = "quiet", "normal", "verbose"
PHASES = ("sign off", "discover", "read and check", "transform", "publish", "feedback")
STEP_PHASES = {"sign_off": "sign off", "ingest_submissions": "read and check", "dbt_models": "transform",
               "bi_warehouse": "publish", "feedback_workbooks": "feedback", "submission_completeness": "feedback"}
DISCOVER_STEP = "ingest_submissions"   # discovery is the first part of the ingest step
MAX_WARNINGS = 6    # warning lines on the console; the others are in the log
MAX_ERRORS = 10
# dbt prints nothing itself while the console runs (its lines come through pipeline.dbt), in no colour
DBT_ENVIRONMENT = {"DBT_LOG_LEVEL": "none", "DBT_USE_COLORS": "false"}
_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_DBT_OK = {"pass", "success", "no-op", "insert", "ok"}


def plain(text: str) -> str:
    """Text without terminal escape codes (dbt's colours, any library's)."""
    return _ESCAPES.sub("", text)


@dataclass
class Phase:
    name: str
    steps: set[str] = field(default_factory=set)       # Dagster steps that make it up
    ended: dict[str, str] = field(default_factory=dict)   # step -> done | skipped | failed
    seconds: float = 0.0
    started: dict[str, float] = field(default_factory=dict)
    facts: list[str] = field(default_factory=list)
    error: str = ""
    printed: bool = False

    @property
    def done(self) -> bool:
        return bool(self.steps) and self.steps <= set(self.ended)

    @property
    def outcome(self) -> str:
        outcomes = set(self.ended.values())
        return "failed" if "failed" in outcomes else "done" if "done" in outcomes else "skipped"


class Console:
    """One load's console and log file. Call open_log once the load holds the warehouse, expect() with
    the job's steps, dagster_logger() for the job, finish() after the run, close() at the end."""

    def __init__(self, verbosity: str = NORMAL, err=None, out=None, terminal: bool | None = None):
        self.verbosity = verbosity
        self.err, self.out = err or sys.stderr, out or sys.stdout
        self.terminal = _is_terminal(self.err) if terminal is None else terminal
        self.phases = {name: Phase(name) for name in PHASES}
        self.dbt_results: Counter = Counter()
        self.current = 0   # dbt assets not rebuilt: their inputs did not change
        self.discovered: dict[str, int] = {}   # files found, new, duplicate, already loaded
        self.warned = self.errors = 0
        self.log_path: Path | None = None
        self._file: logging.Handler | None = None
        self._listener = _Listener(self)
        self._saved_environment: dict[str, str | None] = {}
        self._lock = threading.RLock()
        self._bars = None   # rich Progress while the run goes, on a terminal
        self._tasks: dict[str, int] = {}

    # --- lines for people ---------------------------------------------------------------------

    def info(self, line: str) -> None:
        """A line of the load's own (not in quiet); also in the log."""
        logging.getLogger("pipeline.load").info(line)
        if self.verbosity != QUIET:
            self._show(line)

    def error(self, line: str) -> None:
        logging.getLogger("pipeline.load").error(line)
        self._show(f"error: {line}", style="bold red")

    def summary(self, text: str) -> None:
        """The summary, on stdout (what a cron mail or a script keeps)."""
        print(plain(text), file=self.out, flush=True)

    def _show(self, line: str, style: str | None = None) -> None:
        with self._lock:
            if self._bars is not None:
                self._bars.console.print(line, style=style, markup=False, highlight=False, soft_wrap=True)
            else:
                print(plain(line), file=self.err, flush=True)

    # --- the log file ---------------------------------------------------------------------------

    def open_log(self, path: Path) -> None:
        """Everything from here on also goes to `path`: Dagster, dbt, our lines, the libraries' warnings."""
        self.log_path = path
        self._file = logging.FileHandler(path, encoding="utf-8")
        self._file.setFormatter(_LogFormat())
        root, ours = logging.getLogger(), logging.getLogger("pipeline")
        root.addHandler(self._file)
        ours.setLevel(logging.INFO)   # dbt's debug lines stay in its own dbt.log (internal/dbt/logs)
        logging.getLogger("pipeline.dbt").addHandler(self._listener)
        logging.captureWarnings(True)   # warnings.warn -> logger py.warnings -> the file, not stderr
        for name, value in DBT_ENVIRONMENT.items():
            self._saved_environment[name] = os.environ.get(name)
            os.environ[name] = value

    def close(self) -> None:
        self._stop_bars()
        logging.captureWarnings(False)
        logging.getLogger("pipeline.dbt").removeHandler(self._listener)
        logging.getLogger("pipeline").setLevel(logging.NOTSET)
        if self._file is not None:
            logging.getLogger().removeHandler(self._file)
            self._file.close()
            self._file = None
        for name, value in self._saved_environment.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_environment.clear()

    # --- the run ---------------------------------------------------------------------------------

    def dagster_logger(self):
        """A Dagster logger definition for the job: its records go to this console and the log file."""
        import dagster as dg

        handlers = [h for h in (self._file, self._listener) if h is not None]

        @dg.logger(config_schema={"log_level": dg.Field(str, is_required=False, default_value="DEBUG")},
                   description="The CLI's console and the load's log file")
        def cli_console(init_context):
            logger = logging.Logger("dagster", level=init_context.logger_config["log_level"])
            for handler in handlers:
                logger.addHandler(handler)
            return logger

        return cli_console

    def expect(self, steps: list[str]) -> None:
        """The job's steps, each to its phase (unknown steps report with the last phase)."""
        for step in steps:
            self.phases[STEP_PHASES.get(step, PHASES[-1])].steps.add(step)
            if step == DISCOVER_STEP:
                self.phases["discover"].steps.add(step)
        if self.terminal and self.verbosity != QUIET:
            self._start_bars()

    def finish(self) -> None:
        """After the run: the phases not told yet (a run that stopped early), then no more bars."""
        with self._lock:
            for phase in self.phases.values():
                if phase.steps and not phase.printed:
                    if not phase.done:
                        phase.error = phase.error or "not run"
                    self._print_phase(phase)
            self._stop_bars()

    # --- what the run tells ----------------------------------------------------------------------

    def on_record(self, record: logging.LogRecord) -> None:
        with self._lock:
            meta = getattr(record, "dagster_meta", None)
            if meta is not None:
                self._on_dagster(record, meta)
            elif record.name == "pipeline.dbt":
                self._on_dbt(record)

    def _on_dagster(self, record: logging.LogRecord, meta: dict) -> None:
        event, step, message = meta.get("dagster_event"), meta.get("step_key"), meta.get("orig_message") or ""
        if event is not None:
            self._on_event(event, step)
        elif getattr(record, "progress", None):
            self._on_progress(step, record.progress)
        if self.verbosity == VERBOSE and (event is None or record.levelno >= logging.INFO):
            kind = f"{event.event_type_value} " if event is not None else ""
            self._show(plain(f"{step or 'run'}: {kind}{message}"))
        elif event is None and record.levelno >= logging.WARNING:
            self._notice(record.levelno, f"{step or 'run'}: {message}")

    def _on_event(self, event, step: str | None) -> None:
        kind = event.event_type_value
        if kind == "STEP_START":
            self._step_started(step)
        elif kind in ("STEP_SUCCESS", "STEP_SKIPPED"):
            self._step_ended(step, "done" if kind == "STEP_SUCCESS" else "skipped")
        elif kind == "STEP_FAILURE":
            error = getattr(event.event_specific_data, "error", None)
            self._step_ended(step, "failed", error.message.strip() if error else "failed")
        elif kind == "ASSET_MATERIALIZATION":
            materialization = event.event_specific_data.materialization
            self._facts(materialization.asset_key.to_user_string(),
                        {k: getattr(v, "value", v) for k, v in materialization.metadata.items()})

    def _on_dbt(self, record: logging.LogRecord) -> None:
        node = getattr(record, "dbt_node", None)
        if node:
            self.dbt_results[_dbt_outcome(node["status"])] += 1
            self._advance("transform", sum(self.dbt_results.values()), node["total"], "nodes")
            if node["status"] in ("warn", "fail", "error"):
                self._notice(logging.WARNING, f"dbt {node['status']}: {node['name']}")
        if self.verbosity == VERBOSE:
            self._show(plain(record.getMessage()))

    def _on_progress(self, step: str | None, numbers: dict) -> None:
        if "new" in numbers:   # discovery done: how many files, how many to read
            self.discovered = dict(numbers)
            discover = self.phases["discover"]
            discover.facts = [f"{numbers['found']} files: {numbers['new']} new, {numbers.get('duplicate', 0)} "
                              f"duplicate, {numbers.get('known', 0)} already loaded"]
            self._end_part(discover, step, "done")
            self.phases["read and check"].started[step] = time.monotonic()
            self._begin("read and check", total=numbers["new"] or None, unit="files")
        elif "done" in numbers:
            self._advance("read and check", numbers["done"], numbers["total"], "files")

    def _notice(self, level: int, text: str) -> None:
        """Warnings (not in quiet, the first few) and errors (always, the first few) on the console."""
        if level >= logging.ERROR:
            self.errors += 1
            if self.errors <= MAX_ERRORS:
                self._show(f"error: {plain(text)}", style="bold red")
        elif self.verbosity == NORMAL:
            self.warned += 1
            if self.warned <= MAX_WARNINGS:
                self._show(f"warning: {plain(text)}", style="yellow")
            elif self.warned == MAX_WARNINGS + 1:
                self._show(f"warning: … more warnings in {self.log_path}", style="yellow")

    # --- phases ----------------------------------------------------------------------------------

    def _phase_of(self, step: str | None) -> Phase:
        return self.phases[STEP_PHASES.get(step or "", PHASES[-1])]

    def _step_started(self, step: str | None) -> None:
        """A step began; the ingest step begins with discovery (read and check begins when it ends)."""
        phase = self.phases["discover"] if step == DISCOVER_STEP else self._phase_of(step)
        phase.started[step] = time.monotonic()
        self._begin(phase.name, unit="nodes" if phase.name == "transform" else "")

    def _step_ended(self, step: str | None, outcome: str, error: str = "") -> None:
        if step == DISCOVER_STEP and step not in self.phases["discover"].ended:
            self._end_part(self.phases["discover"], step, outcome, error)
            error = ""   # said once
        self._end_part(self._phase_of(step), step, outcome, error)

    def _end_part(self, phase: Phase, step: str | None, outcome: str, error: str = "") -> None:
        started = phase.started.pop(step, None)
        if started is not None:
            phase.seconds += time.monotonic() - started
        phase.ended[step] = outcome
        if error:
            phase.error = error.splitlines()[0]
            self._notice(logging.ERROR, f"{phase.name} failed: {error}")
        self._end_bar(phase.name)   # one bar at a time: a phase's next step brings it back
        if phase.done:
            self._print_ready()

    def _print_ready(self) -> None:
        """Phase lines in their order: a phase is told once it and every phase before it are done."""
        for phase in self.phases.values():
            if not phase.steps or phase.printed:
                continue
            if not phase.done:
                return
            self._print_phase(phase)

    def _print_phase(self, phase: Phase) -> None:
        phase.printed = True
        if self.verbosity == QUIET:
            return
        if phase.name == "transform" and self.dbt_results:
            phase.facts.insert(0, _dbt_facts(self.dbt_results))
        if phase.name == "transform" and self.current:
            phase.facts.append(f"{self.current} models and seeds current (inputs unchanged)")
        outcome = "failed" if phase.error else phase.outcome
        mark = {"done": "✓", "skipped": "–", "failed": "✗"}[outcome]
        if outcome == "failed":
            facts = f"failed: {phase.error}"
        elif outcome == "skipped":
            failed = any(p.error for p in self.phases.values())
            facts = "not run: an earlier phase failed" if failed else "skipped: nothing new since the last publish"
        else:
            facts = "; ".join(phase.facts) or ("nothing new to read" if phase.name == "read and check" else "done")
        style = {"done": "green", "skipped": "dim", "failed": "bold red"}[outcome]
        self._show(f"{mark} {phase.name:<15}{facts}{f'  ({phase.seconds:.1f} s)' if phase.seconds else ''}",
                   style=style)

    def _facts(self, asset: str, metadata: dict) -> None:
        if metadata.get("rebuilt") is False:
            self.current += 1
        elif asset == "raw/submissions":
            self.phases["read and check"].facts = [
                f"{metadata.get('new_ledger_entries', 0)} new in the ledger, {metadata.get('rows_loaded', 0)} rows "
                f"loaded, {metadata.get('rows_rejected', 0)} rows rejected, {metadata.get('files_rejected', 0)} "
                "files rejected"]
        elif asset == "bi_warehouse":
            self.phases["publish"].facts.append(str(metadata.get("path", "")))
        elif asset == "raw/approval_events":
            self.phases["sign off"].facts = [f"{metadata.get('events_recorded', 0)} approval event(s) recorded"]
        elif asset == "feedback_workbooks":
            self.phases["feedback"].facts.append(f"{metadata.get('workbooks_written', 0)} feedback workbooks")

    # --- progress bars (a terminal only) ---------------------------------------------------------

    def _start_bars(self) -> None:
        rich_console = RichConsole(file=self.err, force_terminal=True, highlight=False, soft_wrap=True)
        self._bars = Progress(SpinnerColumn(), TextColumn("{task.description:<15}"), BarColumn(bar_width=30),
                              _CountColumn(), console=rich_console, transient=True, refresh_per_second=8)
        self._bars.start()

    def _stop_bars(self) -> None:
        if self._bars is not None:
            self._bars.stop()
            self._bars = None

    def _begin(self, phase: str, total: int | None = None, unit: str = "") -> None:
        if self._bars is not None and phase not in self._tasks and not self.phases[phase].printed:
            self._tasks[phase] = self._bars.add_task(phase, total=total, unit=unit)

    def _advance(self, phase: str, done: int, total: int, unit: str) -> None:
        if self._bars is not None and phase in self._tasks:
            self._bars.update(self._tasks[phase], completed=done, total=total or None, unit=unit)

    def _end_bar(self, phase: str) -> None:
        task = self._tasks.pop(phase, None)
        if self._bars is not None and task is not None:
            self._bars.remove_task(task)


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False


def _dbt_outcome(status: str) -> str:
    status = status.split()[0] if status else "skipped"
    return "ok" if status in _DBT_OK else status


def _dbt_facts(results: Counter) -> str:
    counts = ", ".join(f"{results[k]} {k}" for k in ("ok", "warn", "fail", "error", "skipped") if results[k])
    return f"{sum(results.values())} dbt nodes: {counts}"


def _clock(seconds: float) -> str:
    return str(dt.timedelta(seconds=int(seconds)))[2:] if seconds < 3600 else str(dt.timedelta(seconds=int(seconds)))


class _CountColumn(ProgressColumn):
    """x / N unit, rate and time left: only for phases that count something."""

    def render(self, task) -> Text:
        if task.total is None:
            return Text("")
        unit = task.fields.get("unit", "")
        parts = [f"{int(task.completed)}/{int(task.total)} {unit}"]
        if task.speed:
            parts.append(f"{task.speed:.0f} {unit}/s")
        if task.time_remaining is not None and not task.finished:
            parts.append(f"{_clock(task.time_remaining)} left")
        return Text("  ".join(parts))


class _Listener(logging.Handler):
    def __init__(self, console: Console):
        super().__init__(logging.DEBUG)
        self.console = console

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.console.on_record(record)
        except Exception:   # the console must never break a load: the record is in the log file anyway
            self.handleError(record)


class _LogFormat(logging.Formatter):
    """One line per record, Son La time; Dagster's records by step and event, without escape codes."""

    def format(self, record: logging.LogRecord) -> str:
        when = dt.datetime.fromtimestamp(record.created, config.LOCAL_TZ).strftime("%Y-%m-%d %H:%M:%S")
        meta = getattr(record, "dagster_meta", None)
        if meta is not None:
            event = meta.get("dagster_event")
            kind = f"{event.event_type_value} " if event is not None else ""
            source, text = f"dagster {meta.get('step_key') or 'run'}", f"{kind}{meta.get('orig_message') or ''}"
        else:
            source = {"pipeline.dbt": "dbt", "pipeline.load": "load"}.get(record.name, record.name)
            text = record.getMessage()
        line = f"{when} {record.levelname:<7} {source}: {text}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return plain(line)
