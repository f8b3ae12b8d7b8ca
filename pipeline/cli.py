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
approve / unapprove sign off reporting units' months (the Dagster job `approve` in a child process: record,
rebuild, publish; pipeline/signoff.py; then the report, as after a load): exit 0 done or already approved, 2 bad input (nothing
written), 3 a load holds the warehouse, 4 failed. approvals lists who is approved and what waits, figures
the headline figures as published on a day (both read the published warehouse): exit 0, 2 bad arguments.
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
    _signoff_parsers(sub)
    return parser


def _warehouse_options(command) -> None:
    command.add_argument("--warehouse", type=Path, help="warehouse folder (default $PIPELINE_WAREHOUSE_DIR, else warehouse/)")
    command.add_argument("--warehouse-url", help="postgresql://…: the warehouse on PostgreSQL (default "
                         "$PIPELINE_WAREHOUSE_URL; unset: the DuckDB files in the warehouse folder)")


def _signoff_parsers(sub) -> None:
    for action, words in (("approve", "approve reporting units' months: pin what counts, then rebuild and publish"),
                          ("unapprove", "return approved months to provisional, then rebuild and publish")):
        command = sub.add_parser(action, help=words)
        command.add_argument("--period", action="append", required=True, metavar="YYYY-MM",
                             help="the month (again for more, or a range YYYY-MM..YYYY-MM)")
        who = command.add_mutually_exclusive_group(required=True)
        who.add_argument("--unit", nargs="+", action="extend", metavar="CODE",
                         help="reporting unit code(s): a district up to 2025-06, a commune of today's map from 2025-07")
        who.add_argument("--all-received", action="store_true",
                         help="every unit that sent something for the month" if action == "approve"
                         else "every unit whose month is approved")
        command.add_argument("--by", required=True, metavar="OFFICE", help="the office that decides (not a person's ID)")
        if action == "approve":
            when = command.add_mutually_exclusive_group()
            when.add_argument("--as-of", metavar="YYYY-MM-DD", help="count only files received or prepared "
                              "(Ngày lập) by this day (default: today)")
            when.add_argument("--as-of-day", type=int, metavar="N", help="each month as of day N of the month after "
                              "it (approving the past as it stood)")
        command.add_argument("--note", help="a note kept with the approval")
        _warehouse_options(command)
        chatter = command.add_mutually_exclusive_group()
        chatter.add_argument("--verbose", action="store_true", help="also show Dagster's and dbt's log lines")
        chatter.add_argument("--quiet", action="store_true", help="print errors and the summary only")
    listing = sub.add_parser("approvals", help="who is approved, pending or provisional, and the files that wait "
                             "for the province (reads the published warehouse)")
    listing.add_argument("--period", metavar="YYYY-MM", help="one month: every unit in force and its state")
    _warehouse_options(listing)
    shown = sub.add_parser("figures", help="the headline figures as published at a day or time "
                           "(reads the published warehouse)")
    shown.add_argument("--as-of", metavar="YYYY-MM-DD[THH:MM:SS]", help="the day (its end) or the time, Son La "
                       "time (default: now)")
    shown.add_argument("--unit", default="province", metavar="CODE", help="a unit of today's map (default: province)")
    shown.add_argument("--month", metavar="YYYY-MM", help="that month's figures (default: per calendar year and "
                       "review year)")
    shown.add_argument("--all", action="store_true", help="every headline figure (default: houses and poverty; "
                       "--all adds the grants per programme)")
    _warehouse_options(shown)


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
        if args.command in ("approve", "unapprove"):
            return _approve(args)
        if args.command == "approvals":
            return _approvals(args)
        if args.command == "figures":
            return _figures(args)
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
    from pipeline import afterwards

    return afterwards.then_report(lambda: _run_load(args, folders, url), folders[1], url, quiet=args.quiet)


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
        from pipeline import afterwards

        result = afterwards.build_report(warehouse_dir, url, with_pdf=not args.no_pdf,
                                         with_dictionary=not args.no_dictionary)
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


def _approve(args) -> int:
    """approve / unapprove: bad options exit 2 before anything is opened; then under the warehouse lock."""
    import datetime as dt

    from pipeline import config
    from pipeline.console import NORMAL, QUIET, VERBOSE, Console
    from pipeline.warehouse import approvals
    from pipeline.warehouse.lock import WarehouseBusy, warehouse_lock

    warehouse_dir = args.warehouse.resolve() if args.warehouse is not None else config.default_warehouse_dir()
    try:
        url = _warehouse_url(args)
        as_of = getattr(args, "as_of", None)
        try:
            as_of = dt.date.fromisoformat(as_of) if as_of else None
        except ValueError:
            raise approvals.ApprovalError(f"--as-of '{as_of}' is not a day written YYYY-MM-DD") from None
        request = approvals.Request(args.command, approvals.parse_periods(args.period), tuple(args.unit or ()),
                                    by=args.by, as_of=as_of, as_of_day=getattr(args, "as_of_day", None),
                                    note=args.note)
        approvals.check_request(request, config.local_today())
    except ValueError as error:   # ApprovalError too
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    def sign_off() -> int:
        console = Console(VERBOSE if args.verbose else QUIET if args.quiet else NORMAL)
        try:
            with warehouse_lock(warehouse_dir, timeout=0, url=url):
                from pipeline import signoff

                return signoff.approve(console, warehouse_dir, url, request)
        except WarehouseBusy as busy:
            console.error(str(busy))
            return EXIT_BUSY
        finally:
            console.close()
    # as after a load: the report of what it published, in this process once the sign-off's has exited
    from pipeline import afterwards

    return sign_off() if not hasattr(os, "fork") else afterwards.then_report(sign_off, warehouse_dir, url, args.quiet)


def _published_connection(args):
    """(connection to what BI reads, None) or (None, exit code) with the message said."""
    from pipeline import config
    from pipeline.warehouse import store

    warehouse_dir = args.warehouse.resolve() if args.warehouse is not None else config.default_warehouse_dir()
    try:
        url = _warehouse_url(args)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return None, EXIT_USAGE
    if not url and not store.bi_path(warehouse_dir).exists():
        print(f"error: no published warehouse at {store.bi_path(warehouse_dir)}: run `python -m pipeline load` first "
              "(or give --warehouse)", file=sys.stderr)
        return None, EXIT_USAGE
    return store.connect_published(warehouse_dir, url), None


def _approvals(args) -> int:
    from pipeline.warehouse import approvals

    try:
        period = approvals.parse_periods([args.period])[0] if args.period else None
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    con, code = _published_connection(args)
    if con is None:
        return code
    try:
        from pipeline import signoff

        print("\n".join(signoff.approvals_lines(con, period)))
    finally:
        con.close()
    return EXIT_OK


def _figures(args) -> int:
    from pipeline import config
    from pipeline.warehouse import approvals, figures

    try:
        when = figures.parse_when(args.as_of) if args.as_of else config.local_now().replace(tzinfo=None)
        month = approvals.parse_periods([args.month])[0] if args.month else None
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    con, code = _published_connection(args)
    if con is None:
        return code
    try:
        print("\n".join(figures.as_of(con, when, args.unit, month, every_figure=args.all).lines()))
    finally:
        con.close()
    return EXIT_OK
