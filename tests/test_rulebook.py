"""The rule book (pipeline/rulebook/): one list of rules, read by the parser, the set-wise validation,
the asset checks and the seed `rules` (audit.rules)."""
import datetime as dt

import pandas as pd

from pipeline import form, rulebook
from pipeline.defs.assets.ingest import rule_check_description
from pipeline.ingest import validate
from pipeline.ingest.reference import COMMUNE, DISTRICT, Reporter
from pipeline.ingest.tables import parse_sheet
from tools.export_seeds import RULES_PATH, rules_csv
from workbooks import HOUSE_HEADERS, POVERTY_HEADERS, house, poverty

MARCH = dt.date(2025, 3, 1)


def test_the_rules_seed_is_what_export_seeds_writes():
    assert RULES_PATH.read_text(encoding="utf-8") == rules_csv(), \
        "dbt_project/seeds/rules.csv is out of date: run python -m tools.export_seeds"
    header, *rows = rules_csv().splitlines()
    assert header == ",".join(rulebook.SEED_HEADER) and len(rows) == len(rulebook.RULES)


def test_every_rule_is_about_a_sheet_and_a_field_of_the_form():
    derived = {"total_vnd", "norm_limit_vnd", "period_end", "reporting_year", "poor_and_near_poor", "rate_gap_pp"}
    for rule in rulebook.RULES:
        assert rule.severity in rulebook.SEVERITIES and rule.reason and rule.reason_vi, rule.name
        if rule.sheet_kind in form.DATA_SHEETS and rule.column:
            # a field of the sheet, one derived from it, or one of the cover stated for the sheet (Chuẩn nghèo)
            assert (form.SHEETS[rule.sheet_kind].has(rule.column) or rule.column in derived
                    or rule.column in form.COVER_LABEL), rule.name
        for cell in rule.look_at:
            assert rule.sheet_kind is None or form.SHEETS[rule.sheet_kind].has(cell) or cell in form.COVER_LABEL, \
                (rule.name, cell)


def test_rules_checked_on_read_reject_the_row_with_their_name():
    rows = [HOUSE_HEADERS, house("H1"), house("H2", national_id="0140 9900 001", no=2)]
    sheet = parse_sheet(rows, "houses", "Nhà ở", Reporter(DISTRICT, "116"), MARCH)
    [problem] = sheet.problems
    assert (problem.excel_row, problem.rule, problem.value) == (3, "national_id_12_digits", None)
    assert sheet.data["household_id"] == ["H1"]
    # a commune reports reviews from 2025 on: a 2024 row is rejected, its commune never matched
    rows = [POVERTY_HEADERS, poverty(commune=None, name=None, year=2024), poverty(commune=None, name=None, year=2025)]
    sheet = parse_sheet(rows, "poverty", "Hộ nghèo", Reporter(COMMUNE, "03664"), dt.date(2026, 1, 1))
    [problem] = sheet.problems
    assert (problem.rule, problem.value) == ("commune_report_reviews_from_2025", "2024")
    assert problem.reason.startswith("review year 2024: ") and "2024" in problem.reason_vi
    assert sheet.data["review_year"] == [2025] and sheet.data["commune_code"] == ["03664"]


def test_an_id_number_typed_as_a_long_number_is_never_quoted():
    # a number cell gets back the leading zero it lost; one too long is rejected without its digits in either reason
    rows = [HOUSE_HEADERS, house("H1", national_id=14099000001), house("H2", national_id=1234567890123, no=2)]
    sheet = parse_sheet(rows, "houses", "Nhà ở", Reporter(DISTRICT, "116"), MARCH)
    assert sheet.data["national_id"] == ["014099000001"]
    [problem] = sheet.problems
    assert problem.rule == "national_id_12_digits" and problem.value is None
    assert "1234567890123" not in problem.reason + problem.reason_vi


def _houses(**columns) -> pd.DataFrame:
    frame = pd.DataFrame({"household_id": ["H1", "H2"], "household_head": [None, None], "category": ["poor"] * 2,
                          "support_type": ["new_build"] * 2, "status": ["in_progress"] * 2,
                          "central_budget": [40_000_000] * 2, "local_budget": [0, 0], "social_contribution": [0, 0],
                          "start_date": [dt.date(2025, 1, 6)] * 2, "completion_date": [None, None],
                          "commune_code": ["03646"] * 2, "commune_list": ["2025-02"] * 2,
                          "submission_id": ["s1"] * 2, "period": [MARCH] * 2, "excel_row": [2, 3], "row_key": [0, 1],
                          **columns})
    return frame


def test_a_lookup_rule_decides_with_the_warehouse_answer():
    asked = []

    def known_house_cases(keys: pd.DataFrame) -> set:
        asked.append(sorted(map(tuple, keys.to_numpy().tolist())))
        return {("03646", "H1")}

    frame = validate.derive("houses", _houses(), {"known_house_cases": known_house_cases})
    assert asked == [[("03646", "H1"), ("03646", "H2")]]
    assert frame["new_case_without_head"].tolist()[1] == "H2" and pd.isna(frame["new_case_without_head"][0])
    findings, _ = validate.validate("houses", frame)
    assert [(f.row_key, f.rule.name) for f in findings] == [(1, "household_head_required")]
    # without the warehouse's answer nothing is known: both heads are required
    findings, _ = validate.validate("houses", validate.derive("houses", _houses()))
    assert sorted(f.row_key for f in findings if f.rule.name == "household_head_required") == [0, 1]


def test_the_asset_checks_are_described_from_the_rule_book():
    text = rule_check_description("houses", "row_rules")
    errors = [r for r in rulebook.judged("houses") if r.severity == rulebook.ERROR]
    assert all(f"`{r.name}`" in text for r in errors)
    assert "`within_programme_norm`" not in text and "`within_programme_norm`" in rule_check_description(
        "houses", "soft_rules")
