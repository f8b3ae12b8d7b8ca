"""The vectorised pre-check (pipeline/ingest/precheck.py) against Great Expectations itself.

Frames of every sheet kind with many broken rows (random nulls, unknown codes, negative and
implausible amounts, dates out of range, duplicates) go through validate.validate (GX on the
suspect rows only) and through GX on the whole frame: the findings and per-rule counts must be
the same, and the suspects a superset of GX's findings. A clean frame never imports GX.
"""
import datetime as dt
import random
import subprocess
import sys

import pandas as pd
import pytest

from pipeline import rulebook
from pipeline.ingest import precheck, validate
from runner import REPO

D = dt.date


def _pick(rng, good, bad, p_bad=0.08, p_null=0.05):
    roll = rng.random()
    if roll < p_null:
        return None
    if roll < p_null + p_bad:
        return rng.choice(bad)
    return rng.choice(good) if isinstance(good, list) else good()


def _houses(rng, n, broken):
    pb, pn = (0.08, 0.05) if broken else (0, 0)
    rows = []
    for i in range(n):
        start = D(2024, 1, 1) + dt.timedelta(days=rng.randrange(400))
        status = _pick(rng, ["completed", "in_progress", "not_started"], ["Xong rồi"], pb, pn)
        done = start + dt.timedelta(days=rng.randrange(60)) if status == "completed" else None
        if broken and rng.random() < 0.1:
            done = rng.choice([None, D(2014, 5, 1), start - dt.timedelta(days=3), D(2025, 9, 1), start])
        rows.append({
            "household_id": _pick(rng, lambda: f"H{rng.randrange(n * 4 if broken else 10**9)}", ["H1"], pb, pn),
            "household_head": _pick(rng, ["Lò Văn A", "Cà Thị B"], ["x"], 0, pn),
            "category": _pick(rng, ["poor", "near_poor", "meritorious", "other"], ["@SUM(A1)", "Hộ giàu"], pb, pn),
            "support_type": _pick(rng, ["new_build", "repair"], ["Mua nhà"], pb, pn),
            "status": status,
            "central_budget": _pick(rng, lambda: rng.choice([40_000_000, 20_000_000, 0]),
                                    [-1_000_000, 500, 190_000_000, 4_000_000_000], pb, pn),   # ... extra zeros
            "local_budget": _pick(rng, lambda: rng.choice([15_000_000, 5_000_000]), [-5, 40, 10_000], pb, pn),
            "social_contribution": _pick(rng, lambda: rng.choice([5_000_000, 0]), [999, -1], pb, pn),
            "start_date": _pick(rng, lambda: start, [D(2010, 1, 1), D(2025, 12, 1)], pb, 0),
            "completion_date": done,
            "commune_code": "03646",
        })
    return rows


def _grants(rng, n, broken):
    pb, pn = (0.08, 0.05) if broken else (0, 0)
    communes = [f"0{3600 + i}" for i in range(max(1, n // 6 if broken else n))]
    return [{
        "commune_code": rng.choice(communes) if broken else communes[i],
        "programme": _pick(rng, ["production", "medical", "students", "hardship_other"], ["=HYPERLINK()"], pb, pn),
        "funding_source": _pick(rng, ["central", "local", "social"], ["+1"], pb, pn),
        "beneficiaries": _pick(rng, lambda: rng.randrange(1, 40), [-3], pb, pn),
        "amount": _pick(rng, lambda: rng.randrange(1_000, 90_000_000), [-5, 12, 999], pb, pn),
    } for i in range(n)]


def _poverty(rng, n, broken):
    pb, pn = (0.08, 0.05) if broken else (0, 0)
    rows = []
    for i in range(n):
        total = _pick(rng, lambda: rng.randrange(100, 3000), [0, -4], pb, pn)
        poor = _pick(rng, lambda: rng.randrange(0, 90), [5000, -1], pb, pn)
        near = _pick(rng, lambda: rng.randrange(0, 9), [4000, -2], pb, pn)
        rate = None if not (total and total > 0 and poor is not None) else round(poor / total * 100, 2)
        if broken and rate is not None and rng.random() < 0.15:
            rate = rng.choice([rate + 1, rate / 100, rate + 0.04])
        rows.append({
            "commune_code": f"0{3600 + (rng.randrange(n // 3 + 1) if broken else i)}",
            "review_year": _pick(rng, [2024], [2019, 2026], pb, pn),
            "total_households": total, "poor_households": poor, "near_poor_households": near,
            "poor_ethnic_minority_households": _pick(rng, lambda: 0 if poor is None else poor // 2, [9000], pb, pn),
            "poverty_rate_pct": rate,
        })
    return rows


MAKERS = {"houses": _houses, "grants": _grants, "poverty": _poverty}


def _frame(kind: str, seed: int, n: int, broken: bool = True) -> pd.DataFrame:
    rng = random.Random(seed)
    rows = MAKERS[kind](rng, n, broken)
    frame = pd.DataFrame(rows)
    frame["submission_id"] = [f"s{i % 3}" for i in range(n)] if broken else "s0"
    frame["period"] = D(2025, 3, 1)
    frame["excel_row"] = range(2, n + 2)
    frame["row_key"] = range(n)
    return validate.derive(kind, frame)


def _judged(findings) -> list[tuple[int, str]]:
    return sorted((f.row_key, f.rule.name) for f in findings)


@pytest.mark.parametrize("kind", ["houses", "grants", "poverty"])
@pytest.mark.parametrize("seed", [1, 2])
def test_gx_on_the_suspects_finds_what_gx_on_the_whole_frame_finds(kind, seed):
    frame = _frame(kind, seed, 400)
    findings, summary = validate.validate(kind, frame)
    whole = frame[validate.rule_columns(kind, frame)]
    expected, expected_summary = validate.gx_validate(kind, whole)
    assert _judged(findings) == _judged(expected)
    assert {k: v["unexpected"] for k, v in summary.items()} == {k: v["unexpected"]
                                                               for k, v in expected_summary.items()}
    # every rule is exercised somewhere in these frames, and the suspects hold every finding
    assert len({name for _, name in _judged(expected)}) >= len(rulebook.judged(kind)) - 3
    suspects = precheck.suspects(rulebook.judged(kind), whole)
    assert set(whole.loc[suspects.to_numpy(), "row_key"]) >= {key for key, _ in _judged(expected)}


@pytest.mark.parametrize("kind", ["houses", "grants", "poverty"])
def test_the_precheck_is_tight_rule_by_rule(kind):
    """Each rule's suspects are exactly GX's findings for it here (else GX would see more rows than needed)."""
    frame = _frame(kind, 3, 300)
    whole = frame[validate.rule_columns(kind, frame)]
    expected, _ = validate.gx_validate(kind, whole)
    for rule in rulebook.judged(kind):
        mask = precheck.rule_suspects(rule.expectation, rule.kwargs, whole)
        gx_rows = sorted(f.row_key for f in expected if f.rule.name == rule.name)
        assert sorted(whole.loc[mask.to_numpy(), "row_key"]) == gx_rows, rule.name


def test_unknown_expectation_or_argument_leaves_every_row_to_gx():
    frame = _frame("grants", 4, 50)
    assert precheck.rule_suspects("ExpectColumnValuesToMatchRegex", {"column": "programme", "regex": "x"},
                                  frame).all()
    assert precheck.rule_suspects("ExpectColumnValuesToBeBetween",
                                  {"column": "amount", "min_value": 0, "strict_min": True}, frame).all()
    assert precheck.rule_suspects("ExpectColumnValuesToNotBeNull",
                                  {"column": "amount", "row_condition": 'programme=="x"',
                                   "condition_parser": "great_expectations"}, frame).all()


def test_a_clean_batch_never_imports_great_expectations():
    code = ("import sys; sys.path.insert(0, 'tests'); import test_precheck as t; from pipeline.ingest import validate; "
            "out = [validate.validate(k, t._frame(k, 5, 200, broken=False)) for k in ('houses', 'grants', 'poverty')]; "
            "print(sum(len(f) for f, _ in out), all(v['unexpected'] == 0 for _, s in out for v in s.values()), "
            "'great_expectations' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["0", "True", "False"], done.stderr[-2000:]
