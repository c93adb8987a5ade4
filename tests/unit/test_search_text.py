"""The text pipeline of the blind indexes: normalisation, names, terms of a text and of a query."""

import pytest

from complaints.search_text import (
    agency_words,
    index_terms,
    lexicon_for,
    names_in,
    normalise_name,
    normalise_text,
    query_words,
)


@pytest.fixture(scope="module")
def lexicon():
    return lexicon_for(agency_words([("district", "บางรัก"), ("district", "ลาดพร้าว"), ("department", "สำนักเทศกิจ")]))


def test_normalise_text_collapses_space_and_digits_but_keeps_thai_as_written():
    assert normalise_text("  ถนน\u200bชำรุด\n\n ซอย ๑๐๑  BTS ") == "ถนน ชำรุด ซอย 101 bts"
    assert normalise_text("เเก้ไข") == "เเก้ไข"  # a typo stays a typo: matching is "as written"
    assert normalise_text(None) == ""


@pytest.mark.parametrize("typed", ["นายสมชาย ใจดี", "สมชาย  ใจดี", "นาย สมชาย ใจดี", "คุณสมชาย ใจดี",
                                   "ว่าที่ร้อยตรี นายสมชาย ใจดี", " สมชาย\u00a0ใจดี "])
def test_names_are_compared_whole_without_titles(typed):
    assert normalise_name(typed) == "สมชาย ใจดี"


def test_children_and_ranks_lose_their_titles_too():
    assert normalise_name("ด.ญ.มาลี ดีใจ") == normalise_name("เด็กหญิงมาลี ดีใจ") == "มาลี ดีใจ"
    assert normalise_name("พ.ต.ท. ประยุทธ มั่นคง") == "ประยุทธ มั่นคง"


def test_persons_concerned_yields_each_name():
    text = "นายสมศักดิ์ รักดี ตำแหน่งหัวหน้าฝ่ายเทศกิจ\nนางสาวมาลี ศรีสุข (นายตรวจ), นายก ข และ นางค ง"
    assert names_in(text) == {"สมศักดิ์ รักดี", "มาลี ศรีสุข", "ก ข", "ค ง"}
    assert names_in("นายสมชาย ใจดี หัวหน้าฝ่ายโยธา") == {"สมชาย ใจดี หัวหน้าฝ่ายโยธา", "สมชาย ใจดี"}


def test_index_terms_hold_dictionary_words_inside_other_words(lexicon):
    terms = index_terms(normalise_text("ท่อระบายน้ำท่วมขัง เขตบางรัก ไฟฟ้าดับ BTS"), lexicon)
    assert {"น้ำท่วม", "น้ำท่วมขัง", "ท่อระบายน้ำ", "บางรัก", "เขตบางรัก", "ไฟ", "ไฟฟ้า", "bts"} <= terms
    assert all(len(t) >= 2 for t in terms)


def test_query_words_need_only_their_dictionary_words(lexicon):
    [word] = query_words(normalise_text("ถนนพังยับ"), lexicon)
    assert word.text == "ถนนพังยับ" and set(word.terms) <= {"ถนน", "พัง", "ถนนพัง", "ยับ"}
    words = query_words(normalise_text("น้ำท่วม  ลาดพร้าว !!"), lexicon)
    assert [w.text for w in words] == ["น้ำท่วม", "ลาดพร้าว"]
    assert query_words(normalise_text("ๆ !!"), lexicon) == []


def test_every_query_term_is_a_term_of_a_text_that_contains_the_query(lexicon):
    text = normalise_text("ร้องเรียนเจ้าหน้าที่เทศกิจเรียกรับเงินจากผู้ค้าหาบเร่แผงลอยริมทางเท้าซอยลาดพร้าว101")
    terms = index_terms(text, lexicon)
    for query in ("เทศกิจ", "เรียกรับเงิน", "แผงลอย", "ทางเท้า", "ลาดพร้าว", "รับเงิน", "ผู้ค้า", "101"):
        [word] = query_words(normalise_text(query), lexicon)
        assert set(word.terms) <= terms, query
