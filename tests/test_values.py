"""Cell values as clerks write them: Vietnamese numbers, units, dates, periods (pure functions)."""
import datetime as dt
import unicodedata
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.text import fold, split_unit
from pipeline.ingest.values import (
    ParseError, parse_amount_vnd, parse_count, parse_date, parse_number, parse_period, unit_factor,
)


def vn_grouped(n: int) -> str:
    return f"{n:,}".replace(",", ".")


# ---- numbers ---------------------------------------------------------------------------

@pytest.mark.parametrize("written, expected", [
    ("1.250.000", 1250000),
    ("1250000", 1250000),
    ("60.5", Decimal("60.5")),          # plain form read as written
    ("60,5", Decimal("60.5")),          # Vietnamese decimal mark
    ("1.250,75", Decimal("1250.75")),
    ("1 250 000", 1250000),             # spaces
    ("1\u00a0250\u00a0000", 1250000),   # non-breaking spaces
    ("1.250.000 đ", 1250000),
    ("1.250.000đ", 1250000),
    ("1.250.000 đồng", 1250000),
    ("1.250.000 VNĐ", 1250000),
    ("1.250.000 vnd", 1250000),
    ("1.250.000 " + unicodedata.normalize("NFD", "đồng"), 1250000),   # suffix typed in NFD
    ("  42 ", 42),
    ("-5", -5),
    (1250000, 1250000),
    (60.5, Decimal("60.5")),
    (None, None),
    ("", None),
    ("   ", None),
])
def test_parse_number_vietnamese(written, expected):
    assert parse_number(written, whole_column=False if written not in ("1.250",) else True) == expected


def test_whole_number_rule_thousands_in_whole_column():
    assert parse_number("1.250", whole_column=True) == 1250
    assert parse_count("1.250") == 1250
    assert parse_amount_vnd("1.250", 1) == 1250          # đồng column: whole numbers only


@pytest.mark.parametrize("written", ["1.250", "1,250", "12.500", "999,000"])
def test_lone_separator_with_three_digits_is_ambiguous_elsewhere(written):
    with pytest.raises(ParseError, match="two ways"):
        parse_number(written, whole_column=False)
    with pytest.raises(ParseError, match="two ways"):
        parse_amount_vnd(written, 1_000_000)           # (triệu đồng) column


@pytest.mark.parametrize("written", ["abc", "1.2.3", "1,250.5", "12,5,6", "1..2", "đ", "--5", "1.25.000", "5%x"])
def test_unreadable_numbers_raise(written):
    with pytest.raises(ParseError):
        parse_number(written, whole_column=True)


def test_units_convert_to_whole_vnd():
    assert parse_amount_vnd("60,5", unit_factor("trieu dong")) == 60_500_000
    assert parse_amount_vnd(60.5, unit_factor("trieu dong")) == 60_500_000
    assert parse_amount_vnd("1.250,5", unit_factor("nghin dong")) == 1_250_500
    assert parse_amount_vnd("1.250.000", unit_factor("dong")) == 1_250_000
    assert parse_amount_vnd("1.250.000", unit_factor(None)) == 1_250_000
    with pytest.raises(ParseError, match="whole"):
        parse_amount_vnd("1250,5", 1)                   # đồng must come out whole
    with pytest.raises(ParseError, match="whole"):
        parse_amount_vnd("0,0005", 1000)


def test_units_in_headers():
    assert split_unit("Số tiền (triệu đồng)") == ("Số tiền", "trieu dong")
    assert split_unit("Số tiền (nghìn đồng)")[1] == "nghin dong"
    assert split_unit("Số tiền (đồng)")[1] == "dong"
    assert split_unit("Số tiền") == ("Số tiền", None)
    for unit, factor in [("dong", 1), ("nghin dong", 1000), ("trieu dong", 1_000_000)]:
        assert unit_factor(unit) == factor


def test_count_must_be_whole():
    assert parse_count("12") == 12
    assert parse_count(12.0) == 12
    with pytest.raises(ParseError, match="whole"):
        parse_count("12,5")


# ---- dates -----------------------------------------------------------------------------

@pytest.mark.parametrize("written", [
    dt.date(2025, 3, 5), dt.datetime(2025, 3, 5, 0, 0), "05/03/2025", "5/3/2025", "05-03-2025",
    "2025-03-05", " 05/03/2025 ", 45721, 45721.0, "2025-03-05 00:00:00",
])
def test_dates(written):
    assert parse_date(written) == dt.date(2025, 3, 5)


@pytest.mark.parametrize("written", ["03/13/2025", "12/31/2024", "2025/13/01", "31/02/2025", "5/3/25",
                                     "March 5 2025", "45721,5", 45721.5, 10, "00/01/2025"])
def test_bad_and_month_first_dates_raise(written):
    with pytest.raises(ParseError):
        parse_date(written)


def test_day_first_not_month_first():
    assert parse_date("04/03/2025") == dt.date(2025, 3, 4)


# ---- periods ---------------------------------------------------------------------------

@pytest.mark.parametrize("written", [
    "03/2025", "3/2025", "2025-03", "Tháng 3/2025", "tháng 03/2025", "THÁNG 3/2025", "T3/2025", "t03/2025",
    "Tháng 3 năm 2025", unicodedata.normalize("NFD", "Tháng 3/2025"), dt.datetime(2025, 3, 1),
    dt.date(2025, 3, 31), 45736, " 03/2025 ", "03-2025", "2025-03-01",
])
def test_period_forms(written):
    assert parse_period(written) == dt.date(2025, 3, 1)


@pytest.mark.parametrize("written", ["13/2024", "0/2025", "2025", "March 2025", "3/25", "", None, "T13/2025"])
def test_bad_periods_raise(written):
    with pytest.raises(ParseError):
        parse_period(written)


def test_fold_handles_every_spelling():
    canonical = fold("Ngân sách trung ương")
    for variant in ["ngan sach trung uong", "NGÂN SÁCH  TRUNG\nƯƠNG", " Ngân_sách trung ương ",
                    unicodedata.normalize("NFD", "Ngân sách trung ương")]:
        assert fold(variant) == canonical


# ---- property tests ----------------------------------------------------------------------

@settings(max_examples=300)
@given(st.integers(min_value=0, max_value=10**15))
def test_any_integer_with_vietnamese_grouping_parses_back(n):
    assert parse_number(vn_grouped(n), whole_column=True) == n
    assert parse_number(str(n), whole_column=True) == n
    assert parse_count(vn_grouped(n)) == n
    if n >= 1_000_000 or n < 1000:   # two or more groups, or none: never ambiguous
        assert parse_number(vn_grouped(n), whole_column=False) == n


@settings(max_examples=300)
@given(st.integers(min_value=0, max_value=10**12), st.text(alphabet="0123456789", min_size=1, max_size=6))
def test_any_decimal_with_comma_mark_parses_back(whole, fraction):
    text = f"{vn_grouped(whole)},{fraction}"
    expected = Decimal(f"{whole}.{fraction}")
    if whole < 1000 and len(fraction) == 3:
        with pytest.raises(ParseError, match="two ways"):
            parse_number(text, whole_column=False)
    else:
        assert parse_number(text, whole_column=False) == expected


@settings(max_examples=300)
@given(st.integers(min_value=1, max_value=999), st.integers(min_value=0, max_value=999), st.sampled_from(".,"))
def test_lone_separator_three_digits_always_ambiguous_outside_whole_columns(head, tail, separator):
    text = f"{head}{separator}{tail:03d}"
    with pytest.raises(ParseError, match="two ways"):
        parse_number(text, whole_column=False)
    assert parse_number(text, whole_column=True) == head * 1000 + tail


@settings(max_examples=300)
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_day_first_dates_round_trip(day):
    assert parse_date(f"{day:%d/%m/%Y}") == day
    assert parse_date(f"{day.day}/{day.month}/{day.year}") == day
    assert parse_date(f"{day:%d-%m-%Y}") == day
    assert parse_date(f"{day:%Y-%m-%d}") == day


@settings(max_examples=300)
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)).filter(lambda d: d.day > 12))
def test_month_first_dates_always_raise(day):
    with pytest.raises(ParseError):
        parse_date(f"{day:%m/%d/%Y}")


@settings(max_examples=200)
@given(st.integers(min_value=2000, max_value=2099), st.integers(min_value=1, max_value=12))
def test_periods_round_trip(year, month):
    expected = dt.date(year, month, 1)
    for text in [f"{month:02d}/{year}", f"{month}/{year}", f"{year}-{month:02d}", f"Tháng {month}/{year}",
                 f"T{month}/{year}"]:
        assert parse_period(text) == expected
