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
    """(commune of today or None, Mã hộ or None) of every row."""
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


def colliding_ids(frame, house_districts):
    """The Mã hộ of commune-report rows whose id two districts used for two cases now in this commune
    (house_districts(ids): the districts the warehouse holds them under; plus this batch's own district
    reports), else None."""
    import pandas as pd

    if "unit_type" not in frame or not (frame["unit_type"] == "commune").any():
        return pd.Series(None, index=frame.index, dtype=object)   # only a commune's rows can collide
    units = list(zip(frame["unit_type"], frame["unit_code"]))
    rows = list(zip(units, frame["household_id"], frame["commune_list"], frame["commune_code"]))
    asked = [household for (unit_type, _), household, _, _ in rows if unit_type == "commune" and household]
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
    case_states(keys frame) -> {(commune of today, Mã hộ): [(period, status)]} of current reports."""
    import pandas as pd

    if "_known_before" in frame:
        return
    keys = case_keys(frame)
    frame["_case_key"] = _series(keys, frame)
    states: dict[tuple, list] = {}
    asked = pd.DataFrame(list(dict.fromkeys(k for k in keys if k[0] is not None and k[1] is not None)),
                         columns=["commune_2025_code", "household_id"])
    if len(asked):
        for key, found in case_states(asked).items():
            states.setdefault(key, []).extend((_month(period), status, None) for period, status in found)
    for key, period, status, submission in zip(keys, frame["period"], frame["status"], frame["submission_id"]):
        states.setdefault(key, []).append((_month(period), status, submission))
    known, completed = [], []
    for key, period, submission in zip(keys, frame["period"], frame["submission_id"]):
        month = _month(period)
        earlier = [(p, s) for p, s, sub in states.get(key, ()) if p < month and sub != submission]
        known.append(key[0] is not None and bool(earlier))
        done = sorted(p for p, s in earlier if s == COMPLETED)
        completed.append(f"{done[0][1]:02d}/{done[0][0]}" if done and key[0] is not None else None)
    frame["_known_before"] = pd.Series(known, index=frame.index, dtype=bool)
    frame["_completed_before"] = _series(completed, frame)


def _month(period) -> tuple[int, int]:
    return (period.year, period.month)


def reopened(frame, case_states):
    """Rows that report not completed a case an earlier month reported completed: the month it was completed."""
    case_history(frame, case_states)
    status = frame["status"]
    return frame["_completed_before"].where(status.notna() & (status != COMPLETED))


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
    order = sorted(range(len(frame)), key=lambda i: (_month(frame["period"].iat[i]), frame["arrival"].iat[i]
                                                     if "arrival" in frame else 0))
    found = [None] * len(frame)
    communes = reference.unit_list(reference.list_for_month(reference.COMMUNE_ERA)).communes
    for i in order:
        today, household = keys[i]
        if today is None or household is None:
            continue
        held = holders.get(household, set())
        if frame["unit_type"].iat[i] == "commune" and held and today not in held:
            holder = sorted(held)[0]
            unit = communes.get(holder)
            found[i] = f"{holder} {unit.name}" if unit else holder
        else:   # the batch's first report of an id makes its commune a holder
            holders.setdefault(household, set()).add(today)
    return _series(found, frame)


# -- one household, one case (the same Số CCCD) ----------------------------------------------------

CONTINUES, COMPLETED_SAME_HOUSEHOLD, OTHER_COMMUNE = "continues", "completed_case_same_household", "other_commune"


def same_household(frame, same_national_id) -> None:
    """In place, once per frame: `_household_match`, per row None or (link, other commune of today, other Mã hộ,
    its latest status, its submission). same_national_id(rows frame) -> {row_key: [(commune of today, Mã hộ,
    latest status, latest period, submission)]}: the current cases with this row's Số CCCD under another key,
    matched in the raw layer. The batch's own rows are matched here on the number the row already holds."""
    if "_household_match" in frame:
        return
    import pandas as pd

    keys = case_keys(frame)
    frame["_case_key"] = _series(keys, frame)
    has_number = frame["national_id"].notna() if "national_id" in frame else pd.Series(False, index=frame.index)
    asked = pd.DataFrame({"row_key": frame["row_key"], "national_id": frame.get("national_id"),
                          "commune_2025_code": [k[0] for k in keys], "household_id": [k[1] for k in keys]})
    asked = asked[has_number.to_numpy() & asked["commune_2025_code"].notna().to_numpy()]
    others = same_national_id(asked) if len(asked) else {}
    batch: dict[str, list] = {}   # the batch's rows by number (in memory only, never stored)
    numbers = [_text(n) for n in frame["national_id"]] if "national_id" in frame else [None] * len(keys)
    for i, (key, number) in enumerate(zip(keys, numbers)):
        if number is not None and key[0] is not None:
            batch.setdefault(number, []).append(i)
    matches = []
    for i, key in enumerate(keys):
        month = _month(frame["period"].iat[i])
        candidates = [(_month(p), c, h, s, sub) for c, h, s, p, sub in others.get(frame["row_key"].iat[i], ())]
        for j in batch.get(numbers[i], ()) if numbers[i] is not None else ():
            if keys[j] != key and frame["submission_id"].iat[j] != frame["submission_id"].iat[i]:
                candidates.append((_month(frame["period"].iat[j]), keys[j][0], keys[j][1], frame["status"].iat[j],
                                   frame["submission_id"].iat[j]))
        matches.append(_decide(key, month, frame["status"].iat[i], sorted(candidates, key=lambda c: c[0])))
    frame["_household_match"] = _series(matches, frame)


def _decide(key, month, status, candidates):
    """The link a row makes with the earliest other case of its household, if any."""
    for other_month, commune, household, other_status, submission in candidates:
        if commune == key[0] and other_month < month:
            link = COMPLETED_SAME_HOUSEHOLD if other_status == COMPLETED else CONTINUES
            return link, commune, household, other_status, submission
        if commune != key[0] and other_month <= month and COMPLETED not in (status, other_status):
            return OTHER_COMMUNE, commune, household, other_status, submission
    return None


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
    return frame["household_id"].where(twice)


def links(derived, loaded) -> list[dict]:
    """raw.case_links rows (keys only) of the rows that load (`loaded`: a boolean mask over `derived`)."""
    if "_household_match" not in derived:
        return []
    found = []
    for match, key, submission, excel_row in zip(derived["_household_match"][loaded], derived["_case_key"][loaded],
                                                 derived["submission_id"][loaded], derived["excel_row"][loaded]):
        if match is not None:
            link, commune, household, _, other_submission = match
            found.append({"submission_id": submission, "excel_row": int(excel_row), "link": link,
                          "commune_2025_code": key[0], "household_id": key[1], "other_commune_2025_code": commune,
                          "other_household_id": household, "other_submission_id": other_submission})
    return found
