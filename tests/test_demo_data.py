"""The demo generator itself (tools/demo): fast checks, no load.

- expected_figures() carries the article's figures unchanged, and Son La's published 2025 and
  2020-2025 figures, which hold with and without district 125's late correction;
- the submissions as built in memory give exactly expected_figures() when the spec's file and
  row rules are applied to them (the same evaluation `python -m tools.demo --verify` runs on
  the workbooks read back);
- a slice of the demo written twice is byte-identical, equals the committed sources/demo, and
  reads back (openpyxl) as the in-memory model says;
- the generator's copies of the 2025-07 list and crosswalks agree with dbt's seeds;
- (slow) every committed workbook, read back, gives expected_figures().
"""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tools.demo import build, expected_figures, generate
from tools.demo.check import outside_the_published_ranges
from tools.demo.common import DONE, NEW, NORM, OPEN, REPAIR
from tools.demo.funding import settle_2025
from tools.demo.units import REFERENCE_FILES, lists, reference
from tools.demo.verify import evaluate, from_model, read_back, verify

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "sources" / "demo"
SEEDS = REPO / "dbt_project" / "seeds"
SLICE = {
    "116/2020/bao_cao_116_2020_01.xlsx",                         # the first month (amounts by source redrawn)
    "123/2025/bao_cao_123_2025_01.xlsx",                         # 204-list names in a 2025-01 report
    "118/2025/bao_cao_118_2025_02_lan1.xlsx",
    "125/2025/bao_cao_125_2025_05_lan2.xlsx",                    # the correction received in 2026
    "126/2025/bao_cao_126_2025_08.xlsx",                         # a district report after the reform
    "communes/03646/2025/bao_cao_xa_03646_2025_06.xlsx",         # a commune report before it
    "communes/03664/2025/bao_cao_xa_03664_2025_10.xlsx",         # a row naming the neighbour
    "communes/03985/2025/bao_cao_xa_03985_2025_07.xlsx",         # cover naming the old district too
    "communes/04018/2025/bao_cao_xa_04018_2025_08.xlsx",         # cover with Tên xã only
}


@pytest.fixture(scope="module")
def model():
    return build()


def test_expected_figures_are_the_articles():
    fig = expected_figures()
    assert fig["houses_completed_2020_2024"] == 9317
    assert fig["houses_amount_2020_2024"] == 441_287_000_000
    assert sum(v["cases"] for v in fig["houses_by_completion_year"].values()) == 9317
    assert sum(v["amount"] for v in fig["houses_by_completion_year"].values()) == 441_287_000_000
    assert fig["houses_started_2025q1"] == 2337 and fig["houses_in_progress_2025q1"] == 550
    assert fig["houses_completed_2025q1"] + fig["houses_in_progress_2025q1"] == 2337
    assert {y: fig["poverty_rate_pct"][y] for y in range(2020, 2025)} == \
        {2020: 24.52, 2021: 21.66, 2022: 17.90, 2023: 14.41, 2024: 10.89}
    assert fig["grants_2025q1"]["production"] == {"beneficiaries": 48, "amount": 250_400_000}
    assert fig["grants_2025q1"]["students"] == {"beneficiaries": 2191, "amount": 916_000_000}


def test_expected_figures_are_son_la_s_published_2025():
    """SOURCES.md: 12,667 houses 2020-2025, so 3,350 in 2025 (2,905 new, 445 repaired), "over 628
    billion" of which "over 443" social and "over 185" state budget; the same without the correction."""
    fig = expected_figures()
    assert fig["houses_completed_2025"] == {"cases": 3350, "new_build": 2905, "repair": 445}
    assert fig["houses_completed_2020_2025"] == 12_667 == fig["houses_completed_2020_2024"] + 3350
    assert fig["houses_completed_by_year"][2025]["cases"] == 3350
    cost = fig["houses_cost_2020_2025"]
    assert cost["amount"] == cost["social"] + cost["state"] \
        == fig["houses_amount_2020_2024"] + fig["houses_completed_by_year"][2025]["amount"]
    assert outside_the_published_ranges(cost) == []
    held = fig["houses_without_the_correction"]
    assert held["houses_completed_2025"] == fig["houses_completed_2025"]
    assert held["houses_completed_2020_2025"] == 12_667
    assert outside_the_published_ranges(held["houses_cost_2020_2025"]) == []
    # the article's years keep their totals whatever their split by source
    by_source = fig["houses_cost_by_completion_year"]
    assert {y: sum(by_source[y].values()) for y in range(2020, 2025)} == \
        {y: v["amount"] for y, v in fig["houses_by_completion_year"].items()}


def test_the_published_ranges_are_checked():
    assert outside_the_published_ranges({"amount": 628_937_000_000, "social": 443_450_000_000,
                                         "state": 185_487_000_000}) == []
    assert outside_the_published_ranges({"amount": 629_000_000_000, "social": 442_999_500_000,
                                         "state": 185_000_000_000}) == [
        "houses_cost_2020_2025 amount: 629,000,000,000 outside the published [628,000,000,000, 629,000,000,000)",
        "houses_cost_2020_2025 social: 442,999,500,000 outside the published [443,000,000,000, 444,000,000,000)"]


def _case(cid, support, start, completion, commune=None):
    return {"id": cid, "support": support, "start": start, "completion": completion,
            "status": DONE if completion else OPEN, "district": None if commune else "125", "today": commune,
            "central": 1, "local": 1, "social": 1, "total": 3}


def test_settle_2025_takes_the_surplus_from_the_communes_and_relabels_repairs():
    import datetime as dt
    import random
    d = dt.date
    district = [_case("125-2025-0001", REPAIR, d(2025, 1, 5), d(2025, 2, 1)),
                _case("125-2025-0002", REPAIR, d(2025, 4, 5), d(2025, 5, 1)),
                _case("125-2024-0001", NEW, d(2024, 3, 1), d(2024, 6, 1))]
    communes = [_case("04129-2025-001", REPAIR, d(2025, 8, 1), d(2025, 9, 1), "04129"),
                _case("04129-2025-002", NEW, d(2025, 8, 2), d(2025, 10, 1), "04129"),
                _case("03664-2025-001", REPAIR, d(2025, 9, 1), d(2025, 11, 1), "03664"),    # a story commune
                _case("04129-2025-003", REPAIR, d(2025, 12, 1), d(2026, 1, 20), "04129"),   # done in 2026
                _case("04129-2026-001", NEW, d(2026, 2, 1), None, "04129")]
    kept = settle_2025(random.Random(1), district, communes, keep={"03664"},
                       published={"cases": 4, NEW: 3, REPAIR: 1})
    done = [c for c in district + kept if c["completion"] and c["completion"].year == 2025]
    assert len(kept) == 4 and "03664-2025-001" in {c["id"] for c in kept}
    assert {c["id"] for c in communes} - {c["id"] for c in kept} <= {"04129-2025-001", "04129-2025-002"}
    assert len(done) == 4 and sum(c["support"] == REPAIR for c in done) == 1
    for c in district + kept:   # the 2025 campaign at its norms; other years untouched
        assert c["total"] == (NORM[c["support"]] if c["start"].year == 2025 else 3)
    with pytest.raises(AssertionError, match="fewer than 9"):
        settle_2025(random.Random(1), district, communes, published={"cases": 9, NEW: 8, REPAIR: 1})


def test_the_correction_changes_no_house_count(model):
    """District 125's 2025-05 correction (held back later by the sign-off) lowers one amount and adds
    a forgotten grant row: the same cases either way."""
    v1 = next(s for s in model if s.rel == "125/2025/bao_cao_125_2025_05.xlsx")
    v2 = next(s for s in model if s.rel == "125/2025/bao_cao_125_2025_05_lan2.xlsx")
    assert [c["id"] for c in v1.houses] == [c["id"] for c in v2.houses]
    changed = [(a["total"], b["total"]) for a, b in zip(v1.houses, v2.houses) if a != b]
    assert [a - b for a, b in changed] == [3_000_000]
    assert len(v2.grants) == len(v1.grants) + 1


def test_the_model_gives_the_expected_figures(model):
    fig = evaluate(from_model(model))
    assert fig["problems"] == []
    expected = expected_figures()
    assert {k: fig[k] for k in expected} == expected
    # the synthetic era is there: 75 communes reviewed in 2025, cases crossing the reform
    assert fig["poverty_households"][2025]["communes"] == 75
    assert fig["poverty_rate_pct"][2025] < fig["poverty_rate_pct"][2024]
    assert fig["houses_crossing_the_reform"]["cases"] > 0


def test_every_unit_reports_in_its_era(model):
    """12 districts up to 2025-06 and the 75 communes 2025-07 .. 2026-10; the only exceptions are
    the two files built to be rejected for reporting in the wrong era."""
    wrong_era = {("district", "126", (2025, 8)), ("commune", "03646", (2025, 6))}
    seen = {(s.unit, s.code, s.period) for s in model if not s.copy_of and s.period[1] <= 12} - wrong_era
    districts = {(c, p) for u, c, p in seen if u == "district"}
    communes = {(c, p) for u, c, p in seen if u == "commune"}
    assert {c for c, _ in districts} == {"116", "118", "119", "120", "121", "122", "123", "124", "125", "126",
                                         "127", "128"}
    assert (min(p for _, p in districts), max(p for _, p in districts)) == ((2020, 1), (2025, 6))
    assert len({c for c, _ in communes}) == 75
    assert (min(p for _, p in communes), max(p for _, p in communes)) == ((2025, 7), (2026, 10))
    assert len(communes) == 75 * 16 - 3          # three commune months never sent


def test_the_generator_reads_codes_with_their_list():
    """The reused-code trap, in the generator's own crosswalk: a code means what its list says."""
    ls = lists()
    assert ls.names24["03664"] == "Xã Chiềng Xôm" and ls.c75["03664"] == "Phường Chiềng An"
    assert ls.today("03664", "2024") == ls.today("03664", "2025_07") == "03664"
    assert ls.today("03649", "2024") == ls.today("03649", "2025") == "03646"     # Phường Tô Hiệu before July
    assert ls.today("03646", "2025_07") == "03646" and ls.c75["03646"] == "Phường Tô Hiệu"
    assert ls.today("03751", "2024") == "03721"     # retired, split in two pieces that met again in July
    assert ls.today("03988", "2024") is None        # retired, destination unknown
    assert {ls.today(c, "2025") for c in ls.names25} == set(ls.c75)


def test_a_slice_is_byte_identical_on_rerun_and_to_the_committed_demo(tmp_path):
    first = generate(tmp_path / "a", only=SLICE.__contains__)
    second = generate(tmp_path / "b", only=SLICE.__contains__)
    assert {p.relative_to(tmp_path / "a").as_posix() for p in first} == SLICE
    for rel in sorted(SLICE):
        data = (tmp_path / "a" / rel).read_bytes()
        assert data == (tmp_path / "b" / rel).read_bytes(), rel
        assert data == (COMMITTED / rel).read_bytes(), f"{rel} differs from the committed demo"


def _norm(v):
    if v == "":
        return None
    if isinstance(v, float) and v == int(v):
        return int(v)
    return v


def test_the_workbooks_read_back_as_the_model_says(model, tmp_path):
    generate(tmp_path, only=SLICE.__contains__)
    read = {p["rel"]: p for p in read_back(tmp_path)}
    built = {p["rel"]: p for p in from_model(model) if p["rel"] in SLICE}
    assert read.keys() == built.keys() == SLICE
    for rel, want in built.items():
        got = read[rel]
        assert got["cover"] == want["cover"], rel
        assert got["sheets"].keys() == want["sheets"].keys(), rel
        for kind, rows in want["sheets"].items():
            assert len(got["sheets"][kind]) == len(rows), (rel, kind)
            for (_, g), (_, w) in zip(got["sheets"][kind], rows):
                assert {k: _norm(g.get(k)) for k in w} == {k: _norm(v) for k, v in w.items()}, (rel, kind)


def _csv(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return reader.fieldnames, list(reader)


def test_the_seeds_the_generator_reads_are_consistent():
    codes_2024 = {r["commune_code"] for r in _csv(SEEDS / "admin_units_2024.csv")[1]}
    codes_2025 = {r["commune_code"] for r in _csv(SEEDS / "admin_units_2025.csv")[1]}
    _, units = _csv(reference(REFERENCE_FILES[0]))
    _, cw07 = _csv(reference(REFERENCE_FILES[1]))
    _, cw01 = _csv(reference(REFERENCE_FILES[2]))
    assert len(units) == 75 and {r["commune_code"] for r in units} == {r["new_commune_code"] for r in cw07}
    assert sorted(r["old_commune_code"] for r in cw07) == sorted(codes_2025)
    assert {r["old_commune_code"] for r in cw01} == codes_2024
    assert {r["new_commune_code"] for r in cw01} - {""} <= codes_2025


@pytest.mark.slow   # reads all ~2,000 committed workbooks back (about a minute)
def test_the_committed_demo_reads_back_as_expected_figures():
    fig = verify(COMMITTED)
    assert fig["problems"] == []
    expected = expected_figures()
    assert {k: fig[k] for k in expected} == expected
