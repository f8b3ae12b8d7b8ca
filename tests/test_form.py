"""The form (pipeline/form/) is the one description of the submission format: the raw layer, the
templates and the header matching all agree with it."""
import pytest

from pipeline import enumerations, form
from pipeline.ingest.header import match_header
from pipeline.templates import checks
from pipeline.text import fold
from pipeline.warehouse import store


@pytest.mark.parametrize("sheet_kind", form.DATA_SHEETS)
def test_every_column_read_into_rows_has_its_raw_column(sheet_kind):
    raw = set(store.raw_columns()[sheet_kind])
    read = {c.raw_column for c in form.COLUMNS[sheet_kind] if c.typed or c.value_type == "code"}
    assert read <= raw, read - raw
    personal = {c.raw_column for c in form.COLUMNS[sheet_kind] if c.personal}
    assert personal <= {"household_head", "national_id"}   # the only personal data, raw.houses only


@pytest.mark.parametrize("sheet_kind", form.DATA_SHEETS)
def test_no_spelling_names_two_columns(sheet_kind):
    seen: dict[str, str] = {}
    for column in form.COLUMNS[sheet_kind]:
        for spelling in column.header_keys():
            assert seen.setdefault(spelling, column.key) == column.key, (spelling, seen[spelling], column.key)


@pytest.mark.parametrize("sheet_kind", form.DATA_SHEETS)
def test_template_headers_read_back_as_their_columns(sheet_kind):
    for column in form.COLUMNS[sheet_kind]:
        if column.template is None:
            continue
        found, unit = match_header(checks.header(column), sheet_kind)
        assert found.key == column.key
        assert (unit is None) or column.value_type == "amount" and unit == "dong"


def test_choice_columns_accept_every_code_and_label_of_their_domain():
    for sheet_kind in form.DATA_SHEETS:
        for column in form.COLUMNS[sheet_kind]:
            if column.value_type != "choice":
                continue
            spellings = form.choice_spellings(column.choices)
            assert set(spellings.values()) == set(enumerations.codes(column.choices))
            for code, label_vi, _ in enumerations.ENUMERATIONS[column.choices]:
                assert spellings[fold(code)] == spellings[fold(label_vi)] == code


def test_sheet_names_and_cover_labels():
    assert [form.sheet_kind(n) for n in ("Thong_tin", "NHÀ Ở", "ho tro", "Poverty", "Sheet1")] == [
        "cover", "houses", "grants", "poverty", None]
    assert form.copy_of("Nhà ở (2)") == "houses" and form.copy_of("Nhà ở") is None
    assert {label.label for label in form.COVER_LABELS} >= {"Mã huyện", "Mã xã", "Kỳ báo cáo", "Lần gửi"}


def test_the_builders_take_their_headers_from_the_form():
    import workbooks
    from tools import bench_data
    from tools.demo import xlsx

    assert workbooks.HOUSE_HEADERS == form.HOUSES.headers()
    for builder in (bench_data, xlsx):
        assert builder.HOUSE_HEADERS == form.HOUSES.headers(builder.HOUSE_KEYS)
        assert builder.POVERTY_HEADERS == form.POVERTY.headers(builder.POVERTY_KEYS)
    # a column of the form the canonical test row does not fill is there, blank, or given by its key
    row = workbooks.house("H1", village=None)
    assert row[workbooks.HOUSE_KEYS.index("village")] is None
    assert workbooks.grant(notes="x")[workbooks.GRANT_KEYS.index("notes")] == "x"
