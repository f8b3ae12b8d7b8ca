"""`python -m pipeline load [--sources DIR] [--warehouse DIR] [--warehouse-url URL] [--strict] [--no-report] [--verbose | --quiet]`,
`python -m pipeline status [--warehouse DIR] [--json]`, `python -m pipeline report [--warehouse DIR]`,
`python -m pipeline templates` and `python -m pipeline prepare`

load runs the same Dagster asset graph the UI shows, in-process (with DAGSTER_HOME set the run
is recorded in the UI's history), prints a line per phase (progress bars on a terminal) and a
summary (pipeline/console.py); the full log goes to <warehouse>/logs/ (pipeline/runlog.py). The load
ends when the warehouse is published; then, unless --no-report, the report of what it published is
built in another process (the load runs in a child process that has exited by then: Dagster, dbt
and the load's data are never in one process with Chromium).
Exit codes: 0 run completed (even with rejected files), 1 with --strict and anything
rejected, 2 bad arguments, 3 another load holds the warehouse, 4 the pipeline (or the report) failed.
status tells the last load, who is late or missing, the files rejected (pipeline/status.py): exit 0,
2 bad arguments.
report (re)builds <warehouse>/report/ (index.html, report.pdf, data-dictionary.html) from the
reporting layer of the published bi.duckdb (or of the PostgreSQL warehouse), as the load's last
asset does: exit 0 done, 2 no published warehouse (or one without the reporting layer) there,
3 a load holds the warehouse, 4 the report failed.
templates writes next month's workbook for every reporting unit (pre-filled open house cases,
dropdowns, checks): exit 0 done, 2 bad period or no warehouse there, 4 the templates failed.
prepare parses the dbt project once (the manifest Dagster's dbt assets are built from).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

EXIT_OK, EXIT_STRICT, EXIT_USAGE, EXIT_BUSY, EXIT_FAILED = 0, 1, 2, 3, 4


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__.split("\n\n")[1])
    sub = parser.add_subparsers(dest="command", required=True)
    load = sub.add_parser("load", help="discover -> ingest -> validate -> dbt build -> publish")
    load.add_argument("--sources", type=Path, help="folder of the reporting units' workbooks "
                      "(default $PIPELINE_SOURCES_DIR, else the repo's sources/)")
    load.add_argument("--warehouse", type=Path, help="warehouse folder "
                      "(default $PIPELINE_WAREHOUSE_DIR, else warehouse/)")
    load.add_argument("--warehouse-url", help="postgresql://user:password@host:port/db: the warehouse on PostgreSQL "
                      "(default $PIPELINE_WAREHOUSE_URL; unset: the DuckDB file in the warehouse folder)")
    load.add_argument("--strict", action="store_true", help="exit 1 when any file or row was rejected")
    load.add_argument("--no-report", action="store_true", help="end when the warehouse is published: no report "
                      "afterwards (build it with `python -m pipeline report`)")
    chatter = load.add_mutually_exclusive_group()
    chatter.add_argument("--verbose", action="store_true", help="also show Dagster's and dbt's log lines as they come")
    chatter.add_argument("--quiet", action="store_true", help="print errors and the summary only")
    status = sub.add_parser("status", help="the last load, who is late or missing, the files rejected "
                                           "(reads the published warehouse and the logs only)")
    status.add_argument("--warehouse", type=Path, help="warehouse folder (default $PIPELINE_WAREHOUSE_DIR, else warehouse/)")
    status.add_argument("--warehouse-url", help="postgresql://…: read the published schemas there "
                        "(default $PIPELINE_WAREHOUSE_URL; the logs are still read from the warehouse folder)")
    status.add_argument("--json", action="store_true", help="the same as JSON, for scripts")
    report = sub.add_parser("report", help="build the provincial report (HTML, PDF, data dictionary) "
                                            "from the published warehouse")
    report.add_argument("--warehouse", type=Path, help="warehouse folder holding bi.duckdb "
                        "(default $PIPELINE_WAREHOUSE_DIR, else warehouse/)")
    report.add_argument("--warehouse-url", help="postgresql://…: read the warehouse on PostgreSQL "
                        "(default $PIPELINE_WAREHOUSE_URL; unset: the folder's bi.duckdb)")
    report.add_argument("--no-pdf", action="store_true", help="skip the PDF (no Chromium needed)")
    report.add_argument("--no-dictionary", action="store_true", help="skip the data dictionary (no dbt run)")
    templates = sub.add_parser("templates", help="write each reporting unit's workbook for a month, pre-filled "
                               "from the warehouse, with dropdowns and checks")
    templates.add_argument("--period", help="the month to be reported, YYYY-MM (default: the month before today)")
    templates.add_argument("--warehouse", type=Path, help="warehouse folder holding bi.duckdb "
                           "(default $PIPELINE_WAREHOUSE_DIR, else warehouse/)")
    templates.add_argument("--warehouse-url", help="postgresql://…: read the warehouse on PostgreSQL "
                           "(default $PIPELINE_WAREHOUSE_URL; unset: the folder's DuckDB file)")
    templates.add_argument("--out", type=Path, help="folder to write them to (default <warehouse>/templates/YYYY-MM)")
    sub.add_parser("prepare", help="parse the dbt project into the manifest cache (done by setup)")
    return parser


def _say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "prepare":
            from pipeline import transform

            _say(f"dbt manifest: {transform.prepare()}")
            return EXIT_OK
        if args.command == "report":
            return _report(args)
        if args.command == "templates":
            return _templates(args)
        if args.command == "status":
            return _status(args)
        return _load(args)
    except Exception as error:   # a clear message, not a traceback; details with PIPELINE_DEBUG=1
        return _failed("the pipeline could not start", error)


def _failed(what: str, error: Exception) -> int:
    """One line for the operator instead of a traceback (re-raised with PIPELINE_DEBUG=1)."""
    if os.environ.get("PIPELINE_DEBUG"):
        raise error
    print(f"error: {what}: {type(error).__name__}: {error}", file=sys.stderr)
    return EXIT_FAILED


def _folders(args) -> tuple[Path, Path] | None:
    from pipeline import config

    sources = args.sources.resolve() if args.sources is not None else config.default_sources_dir()
    warehouse_dir = args.warehouse.resolve() if args.warehouse is not None else config.default_warehouse_dir()
    if not sources.is_dir():
        print(f"error: sources folder {sources} does not exist or is not a folder", file=sys.stderr)
        return None
    try:
        warehouse_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        print(f"error: cannot create warehouse folder {warehouse_dir}: {error}", file=sys.stderr)
        return None
    return sources, warehouse_dir


def _warehouse_url(args) -> str | None:
    """--warehouse-url, else $PIPELINE_WAREHOUSE_URL, else None (the DuckDB file); raises ValueError."""
    from pipeline import config
    from pipeline.warehouse.pg import is_postgres_url

    url = args.warehouse_url or config.default_warehouse_url()
    if url and not is_postgres_url(url):
        raise ValueError("the warehouse URL must start with postgresql:// (unset it for the DuckDB file)")
    return url


def _load(args) -> int:
    folders = _folders(args)
    try:
        url = _warehouse_url(args)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    if folders is None:
        return EXIT_USAGE
    if args.no_report or not hasattr(os, "fork"):
        return _run_load(args, folders, url)
    return _load_then_report(args, folders, url)


def _run_load(args, folders: tuple[Path, Path], url: str | None) -> int:
    from pipeline.console import NORMAL, QUIET, VERBOSE, Console
    from pipeline.warehouse.lock import WarehouseBusy, warehouse_lock

    console = Console(VERBOSE if args.verbose else QUIET if args.quiet else NORMAL)
    try:
        with warehouse_lock(folders[1], timeout=0, url=url):
            from pipeline.load import load

            return load(console, *folders, url, strict=args.strict)
    except WarehouseBusy as busy:
        console.error(str(busy))
        return EXIT_BUSY
    finally:
        console.close()


def _load_then_report(args, folders: tuple[Path, Path], url: str | None) -> int:
    """The load in a child process, then, once it has exited, the report of what it published in
    this one (which imported nothing of Dagster or dbt): the report's Chromium never shares a process
    or a process tree with the load's memory. The exit code is the load's, or 4 when the report failed."""
    import signal

    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    pid = os.fork()
    if pid == 0:   # the child: the load, then leave (pipeline/__main__.py's way out)
        code = EXIT_FAILED
        try:
            code = _run_load(args, folders, url)
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
    return _report_after_load(folders[1], url, quiet=args.quiet) or code


def _report_after_load(warehouse_dir: Path, url: str | None, quiet: bool) -> int:
    """The report of what the load published, unless it is current already (nothing new was published):
    a phase line like the load's, its paths on stdout. 0, or 4 when it failed."""
    from pipeline.report import build
    from pipeline.warehouse.lock import WarehouseBusy

    if build.is_current(warehouse_dir, url):
        return EXIT_OK
    started = time.monotonic()
    try:
        result = _build_report(warehouse_dir, url, dictionary_if_changed=True)
    except WarehouseBusy:   # another load started meanwhile: its own report follows it
        print("– report         skipped: another load holds the warehouse (its report follows it)", file=sys.stderr)
        return EXIT_OK
    except Exception as error:   # a clear message, not a traceback; details with PIPELINE_DEBUG=1
        print(f"✗ report         failed: {type(error).__name__}: {error}", file=sys.stderr)
        return _failed("the warehouse was published, but the report failed", error)
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


def _status(args) -> int:
    """The operator's morning: reads the published warehouse and the logs, takes no lock."""
    from pipeline import config, status

    warehouse_dir = args.warehouse.resolve() if args.warehouse is not None else config.default_warehouse_dir()
    try:
        url = _warehouse_url(args)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    if not url and not warehouse_dir.is_dir():
        print(f"error: no warehouse folder at {warehouse_dir} (give --warehouse)", file=sys.stderr)
        return EXIT_USAGE
    report = status.gather(warehouse_dir, url)
    print(status.as_json(report) if args.json else status.render(report))
    return EXIT_OK


def _report(args) -> int:
    """Rebuild the report of a published warehouse (bi.duckdb, or the PostgreSQL warehouse)."""
    from pipeline import config
    from pipeline.report import build
    from pipeline.warehouse import store
    from pipeline.warehouse.lock import WarehouseBusy

    warehouse_dir = args.warehouse.resolve() if args.warehouse is not None else config.default_warehouse_dir()
    try:
        url = _warehouse_url(args)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    if not url and not store.bi_path(warehouse_dir).exists():
        print(f"error: no published warehouse at {store.bi_path(warehouse_dir)}: run `python -m pipeline load` "
              "first (or give --warehouse)", file=sys.stderr)
        return EXIT_USAGE
    started = time.monotonic()
    _say(f"report: {'PostgreSQL' if url else store.bi_path(warehouse_dir)} -> {build.report_dir(warehouse_dir)}")
    try:
        result = _build_report(warehouse_dir, url, with_pdf=not args.no_pdf, with_dictionary=not args.no_dictionary)
    except WarehouseBusy as busy:
        print(f"error: {busy}", file=sys.stderr)
        return EXIT_BUSY
    except build.ReportError as error:   # e.g. published before the reporting layer: what to do, no traceback
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as error:   # a clear message, not a traceback; details with PIPELINE_DEBUG=1
        return _failed("the report failed", error)
    print(f"Report ({time.monotonic() - started:.1f} s)")
    print("\n".join(result.lines()))
    for what, why in result.skipped.items():
        if why != "not asked for":
            print(f"warning: {what} not written: {why}", file=sys.stderr)
    return EXIT_OK


def _build_report(warehouse_dir: Path, url: str | None, with_pdf: bool = True, with_dictionary: bool = True,
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


def _templates(args) -> int:
    """Every reporting unit's template for the month; reads the warehouse read-only, takes no lock."""
    import datetime as dt

    from pipeline import config
    from pipeline.templates import build
    from pipeline.templates.cases import NoWarehouse

    warehouse_dir = args.warehouse.resolve() if args.warehouse is not None else config.default_warehouse_dir()
    today = dt.date.today()
    try:
        period = build.parse_period(args.period) if args.period else build.previous_month(today)
        build.check_period(period, today)
        url = _warehouse_url(args)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    started = time.monotonic()
    try:
        run = build.build_templates(period, warehouse_dir, args.out.resolve() if args.out else None, today, url)
    except NoWarehouse as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as error:   # a clear message, not a traceback; details with PIPELINE_DEBUG=1
        return _failed("the templates failed", error)
    print(f"Templates for {period:%m/%Y} ({time.monotonic() - started:.1f} s): {len(run.files)} workbooks in "
          f"{run.out_dir}, due {run.due:%d/%m/%Y}")
    print("\n".join(run.lines()))
    for warning in run.warnings():
        print(f"warning: {warning}", file=sys.stderr)
    return EXIT_OK
