"""Lenient reading of agencies, topics, coded values, dates and flags, with warnings when guessing."""

from datetime import date, datetime

import pytest

from complaints.services.importing import load_reference
from complaints.services.importing.agencies import AgencyResolver
from complaints.services.importing.fields import header_key, match_header
from complaints.services.importing.resolvers import (
    VocabularyResolver,
    check_id_no,
    resolve_date,
    resolve_flag,
    resolve_year,
)
from complaints.services.importing.topics import CategoryResolver
from complaints.thai import parse_date
from complaints.vocabulary import CHANNELS, CLASSIFICATIONS, OUTCOMES, URGENCIES


@pytest.fixture
def reference(ctx):
    return load_reference(None)


@pytest.mark.parametrize("text", [
    "เขตบางรัก", "สำนักงานเขตบางรัก", "บางรัก", "Bang Rak", "bangrak district", " เขต บางรัก ", "1004",
    "ฝ่ายเทศกิจ เขตบางรัก", "สำนักงานเขตบางรัก กรุงเทพมหานคร",
])
def test_bang_rak_written_many_ways(reference, text):
    result = AgencyResolver(reference.agencies, {}).resolve(text)
    assert (result.value, result.warning, result.error) == ("1004", None, None)


@pytest.mark.parametrize("text, code", [
    ("เขตราษฏร์บูรณะ", "1024"), ("ราษฎร์บูรณะ", "1024"), ("สนย.", "public-works"), ("สนย", "public-works"),
    ("สำนักการโยธา", "public-works"), ("สำนักการโยธา กทม.", "public-works"), ("การโยธา", "public-works"),
    ("Public Works Department", "public-works"), ("สำนักผังเมือง", "city-planning"), ("ป้อมปราบฯ", "1008"),
    ("Pathumwan", "1007"), ("Thonburi", "1015"),
])
def test_misspellings_abbreviations_and_old_names(reference, text, code):
    result = AgencyResolver(reference.agencies, {}).resolve(text)
    assert result.value == code and result.error is None and result.warning is None


def test_near_spelling_is_accepted_with_a_warning_and_lists_take_the_first(reference):
    resolver = AgencyResolver(reference.agencies, {})
    near = resolver.resolve("เขตบางกะบิ")
    assert near.value == "1006" and "ใกล้เคียง" in near.warning
    several = resolver.resolve("เขตบางพลัด,สำนักการโยธา กทม.")
    assert several.value == "1025" and "หลายหน่วยงาน" in several.warning


def test_unknown_agency_is_an_error_unless_mapped_by_hand(reference):
    assert "ไม่รู้จักหน่วยงาน" in AgencyResolver(reference.agencies, {}).resolve("เลิงนกทา").error
    mapped = AgencyResolver(reference.agencies, {"เลิงนกทา": "1001"}).resolve("เลิงนกทา ")
    assert mapped.value == "1001" and mapped.error is None


@pytest.mark.parametrize("text, code, warned", [
    ("ถนน", "road", False), ("road", "road", False), ("ถนน/ผิวจราจรชำรุด", "road", False),
    ("Roads / road surface", "road", False), ("{ถนน,ทางเท้า}", "road", False), ("{ร้องเรียน,ทางเท้า}", "footpath", False),
    ("{ร้องเรียน}", "other", False), ("{PM2.5}", "air", False), ("หาบเร่-แผงลอย", "vendors", False),
    ("{ป้าย}", "traffic", False), ("{คลอง}", "drainage", False), ("{}", "other", True), ("", "other", True),
    ("ถนนชำรุดหน้าบ้าน", "road", True),
])
def test_topics_including_traffy_sets(reference, text, code, warned):
    result = CategoryResolver(reference.categories, {}).resolve(text)
    assert result.value == code and result.error is None
    assert bool(result.warning) is warned


def test_unknown_topic_is_an_error_naming_the_unknown_parts(reference):
    resolver = CategoryResolver(reference.categories, {})
    assert "ไม่รู้จักประเภทเรื่อง" in resolver.resolve("เรื่องแปลก").error
    assert resolver.unknown_tokens("{เรื่องแปลก,ถนน}") == ["เรื่องแปลก"]


@pytest.mark.parametrize("vocabulary, name, text, code", [
    (OUTCOMES, "outcome", "มีมูล", "substantiated"), (OUTCOMES, "outcome", "ไม่มีมูล", "unsubstantiated"),
    (OUTCOMES, "outcome", "มีมูลบางส่วน", "partly_substantiated"), (OUTCOMES, "outcome", "Referred", "referred"),
    (OUTCOMES, "outcome", "disciplinary", "disciplinary"), (CLASSIFICATIONS, "classification", "ลับมาก", "secret"),
    (CLASSIFICATIONS, "classification", "ลับ", "confidential"), (URGENCIES, "urgency", "ด่วนที่สุด", "most_urgent"),
    (CHANNELS, "channel", "Traffy Fondue", "traffy"), (CHANNELS, "channel", "1555", "hotline_1555"),
])
def test_coded_values_from_thai_english_and_codes(ctx, vocabulary, name, text, code):
    assert VocabularyResolver(name, vocabulary, {}).resolve(text).value == code


def test_channel_keyword_is_a_guess_with_a_warning_but_outcomes_are_never_guessed(ctx):
    guess = VocabularyResolver("channel", CHANNELS, {}).resolve("โทรแจ้งสายด่วน 1555 ตอนเช้า")
    assert guess.value == "hotline_1555" and guess.warning
    assert VocabularyResolver("outcome", OUTCOMES, {}).resolve("น่าจะมีมูลนิดหน่อย").error


@pytest.mark.parametrize("cell, expected", [
    ("15/01/2564", date(2021, 1, 15)), ("15 ม.ค. 64", date(2021, 1, 15)), ("15 มกราคม 2564", date(2021, 1, 15)),
    ("2021-01-15", date(2021, 1, 15)), (44211, date(2021, 1, 15)), (44211.75, date(2021, 1, 15)),
    ("44211", date(2021, 1, 15)), (datetime(2021, 1, 15, 9, 30), date(2021, 1, 15)),
    (date(2564, 1, 15), date(2021, 1, 15)),  # a B.E. year typed into a date cell
    ("2023-05-12 18:27:54.48+00", date(2023, 5, 13)),  # UTC evening is the next day in Bangkok
    ("วันที่ 15 ม.ค. 2564 เวลา 10.30 น.", date(2021, 1, 15)),
])
def test_dates_in_the_usual_forms_and_excel_serials(ctx, cell, expected):
    assert resolve_date(cell).value == expected


@pytest.mark.parametrize("cell", ["31/02/2564", "15/13/2564", "ไม่ทราบ", 123, True])
def test_impossible_dates_are_errors_in_thai(ctx, cell):
    result = resolve_date(cell)
    assert result.value is None and any("\u0e00" <= ch <= "\u0e7f" for ch in result.error)


def test_parse_date_reads_serials_only_when_asked(ctx):
    assert parse_date("44211", excel_serial=True) == date(2021, 1, 15)
    with pytest.raises(ValueError):
        parse_date("44211")


def test_flags_years_and_id_numbers(ctx):
    assert resolve_flag("ใช่").value is True and resolve_flag("ไม่").value is False
    assert resolve_flag("บางที").error
    assert resolve_year("2564").value == 2564 and resolve_year("64").value == 2564
    assert resolve_year("2021").value == 2564
    assert check_id_no("1-1017-00230-70-8").value == "1101700230708" and check_id_no("1101700230708").warning is None
    assert check_id_no("1101700230709").warning and check_id_no("12345").warning


@pytest.mark.parametrize("header, field", [
    ("เลขทะเบียนรับ", "register_no"), (" เลขทะเบียนรับ ", "register_no"), ("วันที่รับเรื่อง\n(วว/ดด/ปปปป)", "received_date"),
    ("Received Date", "received_date"), ("ticket_id", "register_no"), ("รายละเอียดเพิ่มเติม", "details"),
    ("หน่วยงานที่ถูกร้องเรียน/หน่วยงานที่รับผิดชอบ", "agency"), ("ผลสรุปของผู้บังคับบัญชา", "conclusion"),
    ("วันที่ยุติเรื่อง", "closed_date"), ("COMMENT", "details"), ("ชั้นความลับ", "classification"),
])
def test_headers_match_thai_and_english_synonyms(header, field):
    match = match_header(header_key(header))
    assert match is not None and match.fields[0] == field


def test_running_numbers_and_unknown_headers_are_not_matched():
    assert match_header(header_key("ลำดับที่")) is None
    assert match_header(header_key("coords")) is None
    assert match_header(header_key("ประเภท")).fields == ("category", "kind")  # decided by the values
