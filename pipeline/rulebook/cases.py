"""One household, one case: what a houses frame's rows are to the cases the warehouse or the batch already knows.

The warehouse's answers come from lookups the batch supplies (pipeline/warehouse/store.py); the
decisions are here, with the rules that use them (pipeline/rulebook/houses.py). A case is keyed
by Mã hộ within today's commune (commune_2025_code), so a district-era case is known to its new
commune. "Before" a row means a report of an earlier month: a report of the same month corrects
that month (it replaces, it does not contradict). The batch's own rows count as history too (the
files of one load are not yet in the warehouse). Số CCCD is compared in the raw layer only: the
lookup answers with case keys, and nothing here keeps or quotes the number.
"""
from __future__ import annotations

from pipeline import crosswalk

COMPLETED = "completed"


def case_keys(frame) -> list[tuple]:
    """(commune of today or None, Mã hộ or None) of every row (told once per frame: kept as `_case_key`)."""
    if "_case_key" in frame:
        return frame["_case_key"].tolist()
    today = crosswalk.today_by_commune()
    lists = frame["commune_list"] if "commune_list" in frame else [None] * len(frame)
    return [(today.get((lst, code)), _text(household)) for lst, code, household
            in zip(lists, frame["commune_code"], frame["household_id"])]


def _text(value) -> str | None:
    """A text cell of a frame, None where missing (pandas holds a missing text as NaN)."""
    return value if isinstance(value, str) else None


def _series(values, frame):
    import pandas as pd

    return pd.Series(values, index=frame.index, dtype=object)


def known_case(frame, known_cases):
    """True where the household head may be blank: it is given, or the case is known (a current
    submission loaded it: known_cases(keys frame) -> the known keys; or another file of this batch
    gives it with its head)."""
    import pandas as pd

    if frame["household_head"].notna().all():
        return pd.Series(True, index=frame.index)   # every head given (the usual batch): nothing to look up
    keys = case_keys(frame)
    given = frame["household_head"].notna().tolist()
    submissions = frame["submission_id"].tolist()
    headed: dict[tuple, set] = {}   # case key -> submissions of this batch giving its head
    blank = []
    for key, head, submission in zip(keys, given, submissions):
        (headed.setdefault(key, set()).add(submission) if head else blank.append(key))
    asked = pd.DataFrame(list(dict.fromkeys(blank)), columns=["commune_2025_code", "household_id"]).dropna()
    known = known_cases(asked) if len(asked) else set()
    return pd.Series([head or (key[0] is not None and (key in known or bool(headed.get(key, set()) - {submission})))
                      for key, head, submission in zip(keys, given, submissions)], index=frame.index)


COLLISION = "household_id_collision"   # the frame column colliding_ids' rule derives


def colliding_ids(frame, house_districts):
    """The Mã hộ of commune-report rows whose id two districts used for two cases now in this commune
    (house_districts(ids): the districts the warehouse holds them under; plus this batch's own district
    reports), else None."""
    import pandas as pd

    if "unit_type" not in frame or not (frame["unit_type"] == "commune").any():
        return pd.Series(None, index=frame.index, dtype=object)   # only a commune's rows can collide
    units = list(zip(frame["unit_type"], frame["unit_code"]))
    rows = list(zip(units, frame["household_id"], frame["commune_list"], frame["commune_code"]))
    # a blank Mã hộ (a row error of its own) is NaN here: only the ids written are asked about
    asked = [household for (unit_type, _), household, _, _ in rows
             if unit_type == "commune" and isinstance(household, str) and household]
    districts = {key: set(value) for key, value in house_districts(asked).items()} if asked else {}
    today = crosswalk.today_by_commune()
    for (unit_type, unit_code), household, commune_list, commune_code in rows:
        if unit_type == "district" and (commune_list, commune_code) in today:
            districts.setdefault((today[(commune_list, commune_code)], household), set()).add(unit_code)
    return pd.Series([household if unit_type == "commune" and len(districts.get((unit_code, household), ())) > 1
                      else None for (unit_type, unit_code), household, _, _ in rows], index=frame.index, dtype=object)


# -- what came before each row: known, completed --------------------------------------------------

def case_history(frame, case_states) -> None:
    """In place, once per frame: `_case_key`, `_known_before` (a report of an earlier month had the case) and
    `_completed_before` (the month, MM/YYYY, of the first earlier report that had it completed, else None).
    case_states(keys frame) -> {(commune of today, Mã hộ): (period of its first current report, period of the
    first that had it completed, or None)}. Only firsts matter: an earlier month had the case when its first
    report is earlier (a report of the row's own month is a correction, not history), and the first earlier
    report that had it completed is the first of all when that one is earlier."""
    import pandas as pd

    if "_known_before" in frame:
        return
    keys = case_keys(frame)
    frame["_case_key"] = _series(keys, frame)
    months = _months(frame)
    first: dict[tuple, tuple] = {}   # case -> its first month reported
    done: dict[tuple, tuple] = {}    # case -> its first month reported completed
    asked = pd.DataFrame(list(dict.fromkeys(k for k in keys if k[0] is not None and k[1] is not None)),
                         columns=["commune_2025_code", "household_id"])
    if len(asked):
        for key, (seen, completed) in case_states(asked).items():
            first[key] = _month(seen)
            if completed is not None:
                done[key] = _month(completed)
    for key, month, status in zip(keys, months, frame["status"]):   # the batch's own rows are history too
        if month < first.get(key, (10_000, 1)):
            first[key] = month
        if status == COMPLETED and month < done.get(key, (10_000, 1)):
            done[key] = month
    known, completed = [], []
    for key, month in zip(keys, months):
        today = key[0] is not None
        known.append(today and first[key] < month)
        was = done.get(key)
        completed.append(f"{was[1]:02d}/{was[0]}" if today and was is not None and was < month else None)
    frame["_known_before"] = pd.Series(known, index=frame.index, dtype=bool)
    frame["_completed_before"] = _series(completed, frame)


def _month(period) -> tuple[int, int]:
    return (period.year, period.month)


def _months(frame) -> list[tuple[int, int]]:
    """(year, month) of every row's period (a frame holds few periods: each is told once)."""
    told: dict = {}
    return [told[p] if p in told else told.setdefault(p, _month(p)) for p in frame["period"]]


def reopened(frame, case_states):
    """Rows that report not completed a case an earlier month reported completed: the month it was completed. A Mã hộ
    two districts used for two cases now in the row's commune is no one case (COLLISION, derived before: the rule
    book lists its rule first): its row is told to take a new Mã hộ, not that "the case" was completed."""
    case_history(frame, case_states)
    status = frame["status"]
    found = frame["_completed_before"].where(status.notna() & (status != COMPLETED))
    return found.where(frame[COLLISION].isna()) if COLLISION in frame else found


# -- one Mã hộ, one commune of today --------------------------------------------------------------

def held_elsewhere(frame, house_holders):
    """Commune-report rows naming a Mã hộ that another commune of today holds (it reported the case first, or
    its districts did): 'code name' of the holder. house_holders(ids) -> {Mã hộ: communes of today}."""
    from pipeline.ingest import reference

    if "unit_type" not in frame or not (frame["unit_type"] == "commune").any():
        return _series([None] * len(frame), frame)
    keys = case_keys(frame)
    ids = sorted({key[1] for key, unit in zip(keys, frame["unit_type"]) if unit == "commune" and key[1]})
    holders = {household: set(communes) for household, communes in house_holders(ids).items()} if ids else {}
    months = _months(frame)
    arrival = frame["arrival"].tolist() if "arrival" in frame else [0] * len(frame)
    units = frame["unit_type"].tolist()
    order = sorted(range(len(frame)), key=lambda i: (months[i], arrival[i]))
    found, held_by = [None] * len(frame), [None] * len(frame)
    communes = reference.unit_list(reference.list_for_month(reference.COMMUNE_ERA)).communes
    for i in order:
        today, household = keys[i]
        if today is None or household is None:
            continue
        held = holders.get(household, set())
        if units[i] == "commune" and held and today not in held:
            holder = held_by[i] = sorted(held)[0]
            unit = communes.get(holder)
            found[i] = f"{holder} {unit.name}" if unit else holder
        else:   # the batch's first report of an id makes its commune a holder
            holders.setdefault(household, set()).add(today)
    frame["_held_by"] = _series(held_by, frame)
    return _series(found, frame)


# -- one household, one case (the same Số CCCD) ----------------------------------------------------

CONTINUES, COMPLETED_SAME_HOUSEHOLD, OTHER_COMMUNE = "continues", "completed_case_same_household", "other_commune"


def same_household(frame, same_national_id) -> None:
    """In place, once per frame: `_household_match`, per row None or (link, other commune of today, other Mã hộ,
    its status then, its submission). same_national_id(rows frame) -> {row_key: [(commune of today, Mã hộ,
    status, period, submission)]}: every current report of the cases with this row's Số CCCD under another
    key, matched in the raw layer. The batch's own rows are matched here on the number the row holds."""
    if "_household_match" in frame:
        return
    import pandas as pd

    keys = case_keys(frame)
    frame["_case_key"] = _series(keys, frame)
    numbers = [_text(n) for n in frame["national_id"]] if "national_id" in frame else [None] * len(keys)
    asked = pd.DataFrame({"row_key": frame["row_key"], "national_id": numbers,
                          "commune_2025_code": [k[0] for k in keys], "household_id": [k[1] for k in keys]})
    asked = asked[asked["national_id"].notna().to_numpy() & asked["commune_2025_code"].notna().to_numpy()]
    reports = same_national_id(asked) if len(asked) else {}
    batch: dict[str, list] = {}   # the batch's rows by number (in memory only, never stored)
    cases_of: dict[str, set] = {}
    for i, (key, number) in enumerate(zip(keys, numbers)):
        if number is not None and key[0] is not None:
            batch.setdefault(number, []).append(i)
            cases_of.setdefault(number, set()).add(key)
    periods, statuses, submissions = list(frame["period"]), list(frame["status"]), list(frame["submission_id"])
    matches = []
    for i, (key, row_key, number) in enumerate(zip(keys, frame["row_key"].tolist(), numbers)):
        found = reports.get(row_key, ())
        carriers = cases_of.get(number, ()) if number is not None else ()
        in_batch = len(carriers) > 1 or (len(carriers) == 1 and key not in carriers)   # another case of the batch
        if not (found or in_batch):   # the usual row: its number is its own case's only
            matches.append(None)
            continue
        others: dict[tuple, list] = {}   # other case -> its reports (month, status, submission)
        for commune, household, status, period, submission in found:
            others.setdefault((commune, household), []).append((_month(period), status, submission))
        for j in batch.get(number, ()) if in_batch else ():
            if keys[j] != key and submissions[j] != submissions[i]:
                others.setdefault(keys[j], []).append((_month(periods[j]), statuses[j], submissions[j]))
        matches.append(_decide(key, _month(periods[i]), statuses[i], others))
    frame["_household_match"] = _series(matches, frame)


def _decide(key, month, status, others: dict):
    """The link a row makes with another case of its household, judged by that case's state as of the row's month
    (its latest report up to then; in the row's own commune, before it): continues an open case there, is a second
    case beside a completed one there, or shares the household with an open case of another commune."""
    found = []
    for (commune, household), reports in others.items():
        same = commune == key[0]
        then = sorted((r for r in reports if (r[0] < month if same else r[0] <= month)), key=lambda r: r[0])
        if not then:
            continue
        first, (_, other_status, submission) = then[0][0], then[-1]
        if same:
            link = COMPLETED_SAME_HOUSEHOLD if other_status == COMPLETED else CONTINUES
        elif COMPLETED not in (status, other_status):
            link = OTHER_COMMUNE
        else:
            continue
        found.append((first, link, commune, household, other_status, submission))
    return min(found, key=lambda f: (f[0], f[3] or ""))[1:] if found else None


def _match_detail(frame, same_national_id, link: str):
    same_household(frame, same_national_id)
    return _series([_detail(m) if m is not None and m[0] == link else None for m in frame["_household_match"]], frame)


def _detail(match) -> str:
    link, commune, household, _, _ = match
    if link == OTHER_COMMUNE:
        from pipeline.ingest import reference

        unit = reference.unit_list(reference.list_for_month(reference.COMMUNE_ERA)).communes.get(commune)
        return f"{household} ({commune} {unit.name if unit else ''})".replace(" )", ")")
    return household


def continues_case(frame, same_national_id):
    return _match_detail(frame, same_national_id, CONTINUES)


def completed_same_household(frame, same_national_id):
    return _match_detail(frame, same_national_id, COMPLETED_SAME_HOUSEHOLD)


def other_commune_same_household(frame, same_national_id):
    return _match_detail(frame, same_national_id, OTHER_COMMUNE)


def repeated_national_id(frame):
    """Rows of one submission sharing a Số CCCD with another row of it: their Mã hộ (never the number)."""
    if "national_id" not in frame:
        return _series([None] * len(frame), frame)
    numbered = frame["national_id"].notna()
    twice = frame.duplicated(subset=["submission_id", "national_id"], keep=False) & numbered
    ids = frame["household_id"].where(twice)
    # for the operator's list (raw.case_links): the other ids of each such row's household
    others = ids.groupby([frame["submission_id"], frame["national_id"]]).transform(lambda group: ", ".join(
        sorted(str(v) for v in group.dropna()))) if twice.any() else ids
    frame["_same_sheet"] = _series([o if isinstance(o, str) else None for o in others.where(twice)], frame)
    return ids


def links(derived, loaded) -> list[dict]:
    """raw.case_links rows, keys only: the households the loading rows (`loaded`: a boolean mask over `derived`)
    share with other cases, and the rows rejected for naming another commune's Mã hộ or for sharing a Số CCCD
    with another row of their sheet."""
    if "_household_match" not in derived:
        return []
    keys = derived["_case_key"] if "_case_key" in derived else _series(case_keys(derived), derived)
    found = []
    for column, link in (("_held_by", "household_id_of_another_commune"), ("_same_sheet", "same_household_in_one_sheet")):
        if column not in derived:
            continue
        for other, key, submission, excel_row in zip(derived[column], keys, derived["submission_id"],
                                                     derived["excel_row"]):
            if isinstance(other, str):
                same_sheet = link == "same_household_in_one_sheet"
                found.append({"submission_id": submission, "excel_row": int(excel_row), "link": link,
                              "commune_2025_code": key[0], "household_id": key[1] or "",
                              "other_commune_2025_code": key[0] if same_sheet else other,
                              "other_household_id": ", ".join(i for i in other.split(", ") if i != key[1])
                              if same_sheet else key[1], "other_submission_id": submission if same_sheet else None})
    for match, key, submission, excel_row in zip(derived["_household_match"][loaded], derived["_case_key"][loaded],
                                                 derived["submission_id"][loaded], derived["excel_row"][loaded]):
        if match is not None:
            link, commune, household, _, other_submission = match
            found.append({"submission_id": submission, "excel_row": int(excel_row), "link": link,
                          "commune_2025_code": key[0], "household_id": key[1], "other_commune_2025_code": commune,
                          "other_household_id": household, "other_submission_id": other_submission})
    return found
