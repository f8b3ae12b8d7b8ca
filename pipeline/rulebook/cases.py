"""One household, one case: which cases a houses frame names that the warehouse or the batch already knows.

The warehouse's answers come from lookups the batch supplies (pipeline/warehouse/store.py:
known_house_cases, house_districts); the decisions are here, with the rules that use them
(pipeline/rulebook/houses.py). A case is keyed by Mã hộ within today's commune
(commune_2025_code), so a district-era case is known to its new commune.
"""
from __future__ import annotations

from pipeline import crosswalk


def known_case(frame, known_cases):
    """True where the household head may be blank: it is given, or the case is known (a current
    submission loaded it: known_cases(keys frame) -> the known keys; or another file of this batch
    gives it with its head)."""
    import pandas as pd

    if frame["household_head"].notna().all():
        return pd.Series(True, index=frame.index)   # every head given (the usual batch): nothing to look up
    today = crosswalk.today_by_commune()
    lists = frame["commune_list"] if "commune_list" in frame else [None] * len(frame)
    keys = [(today.get((lst, code)), household) for lst, code, household
            in zip(lists, frame["commune_code"], frame["household_id"])]
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
