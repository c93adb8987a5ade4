"""The further date forms that old registers use: times, prefixes, timestamps, Excel day numbers."""

from datetime import date

import pytest

from complaints.thai import DateParseError, excel_serial_date, parse_date


@pytest.mark.parametrize("text", [
    "15/01/2564 10:30", "15/01/2564 10.30 น.", "วันที่ 15 ม.ค. 2564", "ลงวันที่ 15 มกราคม 2564",
    "15 มกราคม พ.ศ. 2564 เวลา 09:00 น.", "15.01.64", "2021-01-15T10:00:00", "2021-01-15 10:00", "January 15, 2021",
    "Jan 15 2021", "15/01/2564,10:30",
])
def test_dates_with_times_and_prefixes(text):
    assert parse_date(text) == date(2021, 1, 15)


def test_a_utc_timestamp_is_the_date_in_bangkok():
    assert parse_date("2023-05-12 16:59:59+00") == date(2023, 5, 12)
    assert parse_date("2023-05-12 17:00:00+00") == date(2023, 5, 13)  # midnight in Bangkok
    assert parse_date("2023-05-12T23:30:00+07:00") == date(2023, 5, 12)


def test_excel_day_numbers_only_when_asked():
    assert excel_serial_date(44211) == date(2021, 1, 15) and excel_serial_date(60) == date(1900, 2, 28)
    assert parse_date("44211", excel_serial=True) == date(2021, 1, 15)
    assert parse_date("๔๔๒๑๑", excel_serial=True) == date(2021, 1, 15)
    with pytest.raises(DateParseError):
        parse_date("44211")
    with pytest.raises(DateParseError):
        excel_serial_date(0)
