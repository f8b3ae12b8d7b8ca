"""The demo generator itself (tools/demo): fast checks, no load.

- expected_figures() carries the article's figures unchanged;
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
from tools.demo.units import REFERENCE_FILES, lists, reference
from tools.demo.verify import evaluate, from_model, read_back, verify

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "sources" / "demo"
SEEDS = REPO / "dbt_project" / "seeds"
SLICE = {
    "116/2020/bao_cao_116_2020_01.xlsx",                         # untouched since the first demo
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
