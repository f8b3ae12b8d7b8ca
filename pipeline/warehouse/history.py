"""After a batch is written: what its files did to what the units sent before, told to clerks and operator.

Inside the batch's transaction, once pipeline/warehouse/supersession.py has recomputed what counts:
- each row that counted before the batch and no longer does (a replacement left it out) is kept in
  raw.replaced_rows (keys only) and told to the replacement's clerk, row by row, in raw.warnings;
- a file that replaces another claiming the same Lần gửi gets a warning naming that file;
- a file whose sheet of a kind had data rows, every one rejected, replaces nothing in it: it is told that the
  earlier file's figures of that kind (named) still count;
- a case whose Số CCCD is on an open case of another commune (found by the batch's rule,
  raw.case_links) is told to that other commune too, on its submission holding the case;
- a file for a month (or a commune's review year) the province approved is told that its figures await the
  province's approval (pipeline/warehouse/approvals.py: the approved figures stand until then).
The words are the rule book's (pipeline/rulebook/history.py, houses.py). Every warning carries the
run that raised it: the feedback step rewrites the workbook of each submission told something new.
"""
from __future__ import annotations

from pipeline import form
from pipeline.rulebook import history as words
from pipeline.warehouse import approvals, supersession

_WARNING_COUNTS = ("submissions", "submission_sheets")


def record(con, submission_ids: list[str], run_id: str | None) -> None:
    import pandas as pd

    if not submission_ids:
        return
    con.register("batch_ids", pd.DataFrame({"submission_id": submission_ids}))
    try:
        dropped = supersession.replaced_rows(con, "batch_ids")
        claims = supersession.version_claims(con, "batch_ids")
        unreplaced = supersession.unreplaced_kinds(con, "batch_ids")
        links = _dicts(con.execute(
            "select * from raw.case_links where link = 'other_commune' "
            "and submission_id in (select submission_id from batch_ids)"))
    finally:
        con.unregister("batch_ids")
    waiting = approvals.awaiting(con, submission_ids)
    involved = {r["replaced_submission_id"] for r in dropped} | {r["submission_id"] for r in dropped}
    involved |= {link["other_submission_id"] for link in links} | {link["submission_id"] for link in links}
    involved |= {row["submission_id"] for row in waiting}
    ledger, sheets = _ledger(con, involved)
    warnings = [_dropped_warning(row, ledger, sheets, run_id) for row in dropped]
    warnings += [_claim_warning(claim, run_id) for claim in claims]
    warnings += [_loads_nothing_warning(row, run_id) for row in unreplaced]
    warnings += [_other_unit_warning(link, ledger, sheets, run_id) for link in links]
    warnings += [_awaiting_warning(row, sheets, run_id) for row in waiting]
    from pipeline.warehouse import store

    if dropped:
        store.insert_rows(con, "replaced_rows", pd.DataFrame([{**row, "run_id": run_id} for row in dropped]))
    if warnings:
        frame = pd.DataFrame(warnings)
        store.insert_rows(con, "warnings", frame)
        _count(con, frame)


def _dicts(cursor) -> list[dict]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _ledger(con, submission_ids: set) -> tuple[dict, dict]:
    """{submission: ledger row}, {(submission, sheet kind): sheet name as written} of these submissions."""
    if not submission_ids:
        return {}, {}
    marks = ", ".join("?" * len(submission_ids))
    ids = sorted(submission_ids)
    ledger = {r["submission_id"]: r for r in _dicts(con.execute(
        f"select submission_id, file_name, version, period from raw.submissions where submission_id in ({marks})", ids))}
    sheets = {(sid, kind): name for sid, kind, name in con.execute(
        f"select submission_id, sheet, sheet_name from raw.submission_sheets where submission_id in ({marks})",
        ids).fetchall()}
    return ledger, sheets


def _warning(submission_id, sheet_kind, sheet, column, value, message, message_vi, rule, run_id) -> dict:
    return {"submission_id": submission_id, "sheet": sheet, "sheet_kind": sheet_kind, "excel_row": None,
            "column": column, "cell": sheet or None, "value": value, "message": message, "message_vi": message_vi,
            "rule": rule, "run_id": run_id}


def _dropped_warning(row: dict, ledger: dict, sheets: dict, run_id) -> dict:
    message, message_vi, column, value = words.dropped_row(row, ledger[row["replaced_submission_id"]],
                                                           ledger[row["submission_id"]])
    kind = row["sheet_kind"]
    sheet = sheets.get((row["submission_id"], kind)) or form.sheet_name(kind)
    return _warning(row["submission_id"], kind, sheet, column, value, message, message_vi,
                    words.REPLACEMENT_DROPS_ROWS, run_id)


def _claim_warning(claim: dict, run_id) -> dict:
    message, message_vi = words.version_claim(claim)
    return _warning(claim["submission_id"], "cover", "", "Lần gửi", str(claim["version"]), message, message_vi,
                    words.VERSION_CLAIMED_TWICE, run_id)


def _loads_nothing_warning(row: dict, run_id) -> dict:
    """A sheet whose every row was rejected replaces nothing: the earlier file's figures of that kind still count."""
    message, message_vi = words.loads_nothing(row)
    kind = row["sheet_kind"]
    return _warning(row["submission_id"], kind, row["sheet_name"] or form.sheet_name(kind), None, None, message,
                    message_vi, words.REPLACEMENT_LOADS_NOTHING, run_id)


def _other_unit_warning(link: dict, ledger: dict, sheets: dict, run_id) -> dict:
    """The other commune of a household found on open cases of two communes hears it too, on its own case."""
    other = link["other_submission_id"]
    message, message_vi = words.same_household_elsewhere(link, ledger[link["submission_id"]])
    sheet = sheets.get((other, "houses")) or form.sheet_name("houses")
    return _warning(other, "houses", sheet, "Mã hộ", link["other_household_id"], message, message_vi,
                    "same_household_in_another_commune", run_id)


def _awaiting_warning(row: dict, sheets: dict, run_id) -> dict:
    """A file for an approved month (or commune-year): read and checked as usual, its figures wait for the province."""
    message, message_vi = words.awaits_approval(row)
    kind = row["sheet_kind"]
    sheet = sheets.get((row["submission_id"], kind)) or form.sheet_name(kind)
    column, value = ("Năm rà soát", str(row["review_year"])) if kind == "poverty" else ("Kỳ báo cáo", f"{row['period']:%m/%Y}")
    return _warning(row["submission_id"], kind, sheet, column, value, message, message_vi, words.AWAITS_APPROVAL,
                    run_id)


def _count(con, frame) -> None:
    """The ledger's and the sheets' warning counts include what was added here."""
    counts = frame.groupby(["submission_id", "sheet_kind"]).size().reset_index(name="added")
    con.register("added_warnings", counts)
    try:
        con.execute("update raw.submissions as s set warnings = s.warnings + a.added "
                    "from (select submission_id, sum(added) as added from added_warnings group by submission_id) as a "
                    "where s.submission_id = a.submission_id")
        con.execute("update raw.submission_sheets as k set warnings = k.warnings + a.added from added_warnings as a "
                    "where k.submission_id = a.submission_id and k.sheet = a.sheet_kind")
    finally:
        con.unregister("added_warnings")
