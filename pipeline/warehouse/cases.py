"""What the warehouse answers about house cases: the lookups the rule book's Lookup rules name.

The batch (pipeline/ingest/batch.py) supplies them to the rule book (pipeline/rulebook/cases.py decides
with their answers). Every answer is about the current reports (a submission whose houses still count,
pipeline/warehouse/supersession.py) on today's map (a case is a Mã hộ within today's commune). Số CCCD
is compared here, inside the raw layer: no answer carries it.
"""
from __future__ import annotations

import contextlib


def _crosswalk_frame():
    """(commune_list, commune_code) -> commune_2025_code for every commune with a unit on today's map."""
    import pandas as pd   # lazily, like write_batch

    from pipeline.crosswalk import today_by_commune

    return pd.DataFrame([(lst, code, today) for (lst, code), today in today_by_commune().items()],
                        columns=["commune_list", "commune_code", "commune_2025_code"])


# The submissions whose houses count today (pipeline/warehouse/supersession.py).
COUNTING_HOUSES = "select distinct submission_id from raw.counting where sheet_kind = 'houses' and counts"
# Current house rows on today's map: every lookup below asks about these (crosswalk_frame registered).
_CASE_ROWS = f"""
    select m.commune_2025_code, h.household_id, h.status, s.period, h.submission_id, h.national_id
    from raw.houses as h
    join ({COUNTING_HOUSES}) as c on c.submission_id = h.submission_id
    join raw.submissions as s on s.submission_id = h.submission_id
    join crosswalk_frame as m on m.commune_list = h.commune_list and m.commune_code = h.commune_code
"""


@contextlib.contextmanager
def _asking(con, frames: dict):
    """The crosswalk and the asked frames registered for one query, unregistered after."""
    con.register("crosswalk_frame", _crosswalk_frame())
    for name, frame in frames.items():
        con.register(name, frame)
    try:
        yield
    finally:
        for name in ("crosswalk_frame", *frames):
            con.unregister(name)


def house_case_states(con, pairs) -> dict[tuple[str, str], tuple]:
    """(commune of today, Mã hộ) -> (period of the first current report of the case, period of the first that had
    it completed or None), for these cases (a case is reported every month: its firsts are all the rules ask)."""
    with _asking(con, {"asked_cases": pairs}):
        rows = con.execute(
            f"select r.commune_2025_code, r.household_id, min(r.period), "
            "min(r.period) filter (where r.status = 'completed') "
            f"from ({_CASE_ROWS}) as r "
            "join asked_cases as a on a.commune_2025_code = r.commune_2025_code "
            "and a.household_id = r.household_id group by r.commune_2025_code, r.household_id").fetchall()
    return {(today, household): (seen, completed) for today, household, seen, completed in rows}


def house_holders(con, household_ids: list[str]) -> dict[str, set[str]]:
    """Mã hộ -> the communes of today whose current reports (or their districts') carry it."""
    import pandas as pd   # lazily, like write_batch

    with _asking(con, {"ids_frame": pd.DataFrame({"household_id": sorted(set(household_ids))})}):
        rows = con.execute(f"select distinct r.household_id, r.commune_2025_code from ({_CASE_ROWS}) as r "
                           "join ids_frame as i on i.household_id = r.household_id").fetchall()
    found: dict[str, set[str]] = {}
    for household, today in rows:
        found.setdefault(household, set()).add(today)
    return found


def same_national_id(con, asked) -> dict[int, list[tuple]]:
    """row_key -> [(commune of today, Mã hộ, status, period, submission)] of every current report of the cases
    that carry the row's Số CCCD under another case key. The numbers are compared here, in the raw layer: the
    answer holds case keys only. asked: row_key, national_id, commune_2025_code, household_id."""
    with _asking(con, {"asked_rows": asked}):
        rows = con.execute(f"""
            with r as ({_CASE_ROWS}),
            matched as (
                select distinct a.row_key, r.commune_2025_code, r.household_id
                from r join asked_rows as a on a.national_id = r.national_id
                where not (r.commune_2025_code = a.commune_2025_code and r.household_id = a.household_id)
            )
            select distinct m.row_key, r.commune_2025_code, r.household_id, r.status, r.period, r.submission_id
            from matched as m
            join r on r.commune_2025_code = m.commune_2025_code and r.household_id = m.household_id
            order by m.row_key, r.period""").fetchall()
    found: dict[int, list[tuple]] = {}
    for row_key, *case in rows:
        found.setdefault(int(row_key), []).append(tuple(case))
    return found


def house_districts(con, household_ids: list[str]) -> dict[tuple[str, str], set[str]]:
    """(commune of today, Mã hộ) -> the districts whose current reports carry that id there, for these
    ids only: two districts may have used one Mã hộ for two cases now in one commune."""
    import pandas as pd   # lazily, like write_batch

    with _asking(con, {"ids_frame": pd.DataFrame({"household_id": sorted(set(household_ids))})}):
        rows = con.execute(
            "select distinct m.commune_2025_code, h.household_id, s.district_code from raw.houses as h "
            "join ids_frame as i on h.household_id = i.household_id "
            "join raw.submissions as s on h.submission_id = s.submission_id "
            f"join ({COUNTING_HOUSES}) as c on c.submission_id = h.submission_id "
            "join crosswalk_frame as m on h.commune_list = m.commune_list and h.commune_code = m.commune_code "
            "where s.district_code is not null").fetchall()
    found: dict[tuple[str, str], set[str]] = {}
    for today, household, district in rows:
        found.setdefault((today, household), set()).add(district)
    return found


def known_house_cases(con, pairs) -> set[tuple[str, str]]:
    """The (commune of today, household_id) case keys of a frame that a current submission (its houses still
    count) has loaded, by its district or by its commune: on those the household head may be left blank."""
    if pairs.empty:
        return set()
    with _asking(con, {"asked_cases": pairs}):
        rows = con.execute(
            "select distinct a.commune_2025_code, a.household_id from asked_cases as a "
            "join crosswalk_frame as m on m.commune_2025_code = a.commune_2025_code "
            "join raw.houses as h on h.commune_list = m.commune_list and h.commune_code = m.commune_code "
            "and h.household_id = a.household_id "
            f"join ({COUNTING_HOUSES}) as c on c.submission_id = h.submission_id").fetchall()
    return set(rows)


# The lookups the rule book's Lookup rules name (pipeline/rulebook/houses.py), bound to a connection.
def lookups(con) -> dict:
    return {"known_house_cases": lambda keys: known_house_cases(con, keys),
            "house_districts": lambda ids: house_districts(con, ids),
            "house_case_states": lambda keys: house_case_states(con, keys),
            "house_holders": lambda ids: house_holders(con, ids),
            "same_national_id": lambda rows: same_national_id(con, rows)}
