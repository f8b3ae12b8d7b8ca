"""The demo generator itself (tools/demo): fast checks, no load.

- expected_figures() carries the article's figures unchanged;
- the submissions as built in memory give exactly expected_figures() when the spec's file and
  row rules are applied to them (the same evaluation `python -m tools.demo --verify` runs on
  the workbooks read back);
- a slice of the demo written twice is byte-identical, equals the committed sources/demo, and
  reads back (openpyxl) as the in-memory model says;
- the generator's copies of the 2025-07 list and crosswalks agree with dbt's seeds.
"""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tools.demo import build, expected_figures, generate
from tools.demo.units import REFERENCE, REFERENCE_FILES
from tools.demo.verify import evaluate, from_model, read_back

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
    periods = {}
    for sub in model:
        if not sub.copy_of and sub.rel.count("/") >= 2:
            periods.setdefault(sub.unit, set()).add((sub.code, sub.period))
    assert len({c for c, _ in periods["district"]}) == 12
    assert len({c for c, p in periods["commune"] if p >= (2025, 7)}) == 75
    assert max(p for _, p in periods["district"] if (_, p) != ("126", (2025, 8))) == (2025, 6)
    assert min(p for c, p in periods["commune"] if (c, p) != ("03646", (2025, 6))) == (2025, 7)
    assert max(p for _, p in periods["commune"]) == (2026, 10)


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


def test_reference_copies_agree_with_the_seeds():
    codes_2024 = {r["commune_code"] for r in _csv(SEEDS / "admin_units_2024.csv")[1]}
    codes_2025 = {r["commune_code"] for r in _csv(SEEDS / "admin_units_2025.csv")[1]}
    _, units = _csv(REFERENCE / REFERENCE_FILES[0])
    _, cw07 = _csv(REFERENCE / REFERENCE_FILES[1])
    _, cw01 = _csv(REFERENCE / REFERENCE_FILES[2])
    assert len(units) == 75 and {r["commune_code"] for r in units} == {r["new_commune_code"] for r in cw07}
    assert sorted(r["old_commune_code"] for r in cw07) == sorted(codes_2025)
    assert {r["old_commune_code"] for r in cw01} == codes_2024
    assert {r["new_commune_code"] for r in cw01} - {""} <= codes_2025
    # once dbt carries these lists as seeds, they must be the same rows
    for name in REFERENCE_FILES:
        header, rows = _csv(REFERENCE / name)
        for seed in sorted(SEEDS.glob("*.csv")):
            seed_header, seed_rows = _csv(seed)
            if seed_header == header:
                assert seed_rows == rows, f"{seed.name} differs from tools/demo/reference/{name}"
