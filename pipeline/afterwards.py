"""What follows a load (or a sign-off) on the command line: the report, in a process of its own.

The load runs in a child process (forked: nothing is imported yet); once it has exited, with Dagster,
dbt and the load's data, this process builds the report of what it published (charts, HTML, the PDF
through Chromium, the data dictionary). No process holds dbt's state and Chromium at once, and the
report's process tree is the report and Chromium only. pipeline/cli.py decides when; this module
does it, and leaves a process without the interpreter's teardown.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from pipeline import cli
from pipeline.cli import EXIT_FAILED, EXIT_OK, EXIT_STRICT


def then_report(work, warehouse_dir: Path, url: str | None, quiet: bool) -> int:
    """`work` (a load, a sign-off) in a child process, then, once it has exited, the report of what it published
    in this one (which imported nothing of Dagster or dbt): the report's Chromium never shares a process or a
    process tree with the load's memory. The exit code is the child's, or 4 when the report failed."""
    import signal

    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    pid = os.fork()
    if pid == 0:   # the child: the work, then leave (pipeline/__main__.py's way out)
        code = EXIT_FAILED
        try:
            code = work()
        finally:
            leave(code)
    interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the child's to handle
    try:
        _, status = os.waitpid(pid, 0)
    finally:
        signal.signal(signal.SIGINT, interrupt)
    code = os.waitstatus_to_exitcode(status)
    if code not in (EXIT_OK, EXIT_STRICT):
        return code if code >= 0 else EXIT_FAILED
    return report_after_load(warehouse_dir, url, quiet=quiet) or code


def report_after_load(warehouse_dir: Path, url: str | None, quiet: bool) -> int:
    """The report of what the load published, unless it is current already (nothing new was published):
    a phase line like the load's, its paths on stdout. 0, or 4 when it failed."""
    from pipeline.report import build
    from pipeline.warehouse.lock import WarehouseBusy

    if build.is_current(warehouse_dir, url):
        return EXIT_OK
    started = time.monotonic()
    try:
        result = build_report(warehouse_dir, url, dictionary_if_changed=True)
    except WarehouseBusy:   # another load started meanwhile: its own report follows it
        print("– report         skipped: another load holds the warehouse (its report follows it)", file=sys.stderr)
        return EXIT_OK
    except Exception as error:   # a clear message, not a traceback; details with PIPELINE_DEBUG=1
        print(f"✗ report         failed: {type(error).__name__}: {error}", file=sys.stderr)
        return cli._failed("the warehouse was published, but the report failed", error)
    if not quiet:
        print(f"✓ report         {result.written()}  ({time.monotonic() - started:.1f} s)", file=sys.stderr,
              flush=True)
    print("\n".join(result.lines()), flush=True)
    for what, why in result.skipped.items():
        print(f"warning: {what} not written: {why}", file=sys.stderr)
    return EXIT_OK


def leave(code: int) -> None:
    """Leave the process now, without the interpreter's teardown: a load leaves ~440,000 objects behind
    (Dagster, dbt, pandas), which it frees one by one, 1.5-1.7 s after the summary is printed (measured
    on the benchmark's loads), for nothing: every file, connection and lock is closed by now. So do what
    the teardown does that matters (wait for threads, run the exit handlers: logging, temporary folders,
    child processes, flush the output) and go."""
    import atexit
    import threading

    getattr(threading, "_shutdown", lambda: None)()   # joins non-daemon threads, runs their exit hooks
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):   # a reader that went away, a closed stream: nothing left to say
            pass
    os._exit(code or 0)


def build_report(warehouse_dir: Path, url: str | None, with_pdf: bool = True, with_dictionary: bool = True,
                  dictionary_if_changed: bool = False):
    """The report, under the warehouse lock when dbt docs reads the internal DuckDB warehouse (raises
    WarehouseBusy when a load holds it), as the Dagster asset provincial_report does."""
    from pipeline.report import build
    from pipeline.warehouse import store
    from pipeline.warehouse.lock import warehouse_lock

    options = {"url": url, "with_pdf": with_pdf, "dictionary_if_changed": dictionary_if_changed}
    if not url and store.internal_path(warehouse_dir).exists():
        with warehouse_lock(warehouse_dir, timeout=0):
            return build.build_report(warehouse_dir, with_dictionary=with_dictionary, **options)
    # PostgreSQL, or a folder holding only a copy of bi.duckdb: no dictionary to make
    return build.build_report(warehouse_dir, with_dictionary=with_dictionary and not url, **options)
