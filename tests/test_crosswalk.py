"""The crosswalk to today's map (pipeline/crosswalk.py) and the seeds it reads and writes."""
import csv
from collections import Counter

from pipeline.config import SEEDS_DIR
from pipeline.crosswalk import APPROXIMATE, EXACT, NONE, commune_map, commune_map_csv, map_2024
from tools.export_seeds import COMMUNE_MAP_PATH

def _rows(name: str) -> list[dict]:
    with open(SEEDS_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_committed_commune_map_is_what_export_seeds_writes():
    assert COMMUNE_MAP_PATH.read_text(encoding="utf-8") == commune_map_csv(), (
        "dbt_project/seeds/commune_map.csv is out of date: run python -m tools.export_seeds")


def test_every_commune_of_every_list_is_mapped_or_a_gap():
    mapped = commune_map()
    lists = Counter(m.commune_list for m in mapped)
    assert lists == {"2024": 204, "2025-02": 200, "2025-07": 75}
    today = {r["commune_code"] for r in _rows("communes_2025_07.csv")}
    for m in mapped:
        if m.mapping == NONE:
            assert m.commune_2025_code == "" and m.commune_list == "2024"
        else:
            assert m.commune_2025_code in today, m
    # the 200 -> 75 crosswalk is exact; today's list maps to itself
    assert {m.mapping for m in mapped if m.commune_list != "2024"} == {EXACT}
    assert all(m.commune_2025_code == m.commune_code for m in mapped if m.commune_list == "2025-07")


def test_the_2024_list_by_the_main_successor_rule():
    by_code = {m.commune_code: m for m in commune_map() if m.commune_list == "2024"}
    quality = Counter(m.mapping for m in by_code.values())
    assert quality == {EXACT: 186, APPROXIMATE: 15, NONE: 3}
    # unchanged: exact
    assert (by_code["03664"].commune_2025_code, by_code["03664"].mapping) == ("03664", EXACT)
    # merged_into (whole town inside Quang Huy): exact
    assert (by_code["03898"].commune_2025_code, by_code["03898"].mapping) == ("03910", EXACT)
    # split, both pieces merged again in July (Chiềng Ly: Thuận Châu town + Phổng Ly): exact
    assert by_code["03751"].mapping == EXACT
    # split into two units of today: its own code's unit, approximate
    assert (by_code["03766"].commune_2025_code, by_code["03766"].mapping) == ("03784", APPROXIMATE)
    # a split with an unknown destination, code kept (Viêng Lán 04075): approximate
    assert (by_code["04075"].commune_2025_code, by_code["04075"].mapping) == ("04075", APPROXIMATE)
    # unresolved, code kept: the unit filled in, approximate
    assert (by_code["04012"].commune_2025_code, by_code["04012"].mapping) == ("03980", APPROXIMATE)
    # unresolved, code retired, no destination: no main successor
    assert {c for c, m in by_code.items() if m.mapping == NONE} == {"03988", "03991", "04003"}


def test_main_successor_rule_on_made_up_rows():
    to_today = {"1": "A", "2": "B", "3": "A"}
    rows = [
        {"old_commune_code": "1", "new_commune_code": "1", "change": "split"},
        {"old_commune_code": "1", "new_commune_code": "3", "change": "split"},    # both land in A
        {"old_commune_code": "9", "new_commune_code": "1", "change": "split"},    # code retired,
        {"old_commune_code": "9", "new_commune_code": "2", "change": "split"},    # two destinations
        {"old_commune_code": "8", "new_commune_code": "2", "change": "split"},    # code retired, one known
        {"old_commune_code": "8", "new_commune_code": "", "change": "split"},     # and one unknown
        {"old_commune_code": "2", "new_commune_code": "2", "change": "unresolved"},
    ]
    assert map_2024(rows, to_today) == {"1": ("A", EXACT), "9": ("", NONE), "8": ("B", APPROXIMATE),
                                        "2": ("B", APPROXIMATE)}


def test_the_lists_and_when_they_apply():
    lists = _rows("admin_unit_lists.csv")
    assert [(r["commune_list"], r["valid_from"], r["valid_to"]) for r in lists] == [
        ("2024", "2020-01-01", "2025-01-31"), ("2025-02", "2025-02-01", "2025-06-30"), ("2025-07", "2025-07-01", "")]
