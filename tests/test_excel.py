"""pipeline/ingest/excel.py spells columns, sheet names and serial dates exactly as openpyxl does."""
import datetime as dt

import pytest
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.utils.datetime import from_excel

from pipeline.ingest.excel import MAX_COLUMN, column_letter, quote_sheet_name, serial_date
from pipeline.ingest.values import ParseError, parse_date


def test_column_letters_match_openpyxl_over_its_whole_range():
    assert [column_letter(n) for n in range(1, MAX_COLUMN + 1)] == \
           [get_column_letter(n) for n in range(1, MAX_COLUMN + 1)]
    assert (column_letter(1), column_letter(26), column_letter(27), column_letter(MAX_COLUMN)) == ("A", "Z", "AA", "ZZZ")


@pytest.mark.parametrize("number", [0, -1, MAX_COLUMN + 1])
def test_column_letters_refuse_what_openpyxl_refuses(number):
    with pytest.raises(ValueError):
        get_column_letter(number)
    with pytest.raises(ValueError):
        column_letter(number)


@pytest.mark.parametrize("name", ["Nhà ở", "Hỗ trợ", "O'Brien's", "'", "Sheet1", ""])
def test_quoted_sheet_names_match_openpyxl(name):
    assert quote_sheet_name(name) == quote_sheetname(name)


def test_serial_dates_match_openpyxl_over_the_plausible_range():
    for serial in range(61, 73052):
        assert serial_date(serial) == from_excel(serial).date()
    assert parse_date(45658) == dt.date(2025, 1, 1)
    assert parse_date(45658.0) == dt.date(2025, 1, 1)
    with pytest.raises(ParseError):
        parse_date(45658.5)
