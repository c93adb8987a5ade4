"""Buddhist-era dates, fiscal years, Thai collation."""

from datetime import date

import pytest

from complaints.thai import DateParseError, fiscal_year, fiscal_year_bounds, format_date, parse_date, thai_sorted


@pytest.mark.parametrize("day, year", [
    (date(2020, 9, 30), 2563), (date(2020, 10, 1), 2564), (date(2021, 9, 30), 2564), (date(2021, 10, 1), 2565),
])
def test_fiscal_year_starts_in_october(day, year):
    assert fiscal_year(day) == year


def test_fiscal_year_bounds():
    assert fiscal_year_bounds(2564) == (date(2020, 10, 1), date(2021, 9, 30))


@pytest.mark.parametrize("text", [
    "15/01/2564", "15/1/64", "15-01-2564", "15 ม.ค. 2564", "15 ม.ค. 64", "15 มกราคม 2564", "15 มกราคม พ.ศ. 2564",
    "2021-01-15", "15/01/2021", "๑๕/๐๑/๒๕๖๔", "15 Jan 2021",
])
def test_parse_date_accepts_the_usual_forms(text):
    assert parse_date(text) == date(2021, 1, 15)


@pytest.mark.parametrize("text", ["", "31/02/2564", "15/13/2564", "ไม่ทราบ", "15/01/1700"])
def test_parse_date_refuses_with_a_thai_message(text):
    with pytest.raises(DateParseError) as exc:
        parse_date(text)
    assert any("\u0e00" <= ch <= "\u0e7f" for ch in str(exc.value))


def test_format_date_in_buddhist_era():
    assert format_date(date(2021, 1, 15)) == "15 ม.ค. 2564"
    assert format_date(date(2021, 1, 15), "long") == "15 มกราคม 2564"
    assert format_date(date(2021, 1, 15), "numeric") == "15/01/2564"


def test_thai_collation_is_not_code_point_order():
    words = ["คลอง", "เขต", "กรุง", "ขยะ"]
    # A leading vowel is skipped: เขต sorts under ข. Code-point order would put it last.
    assert thai_sorted(words) == ["กรุง", "ขยะ", "เขต", "คลอง"]
    assert sorted(words) != thai_sorted(words)
