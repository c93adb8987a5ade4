"""Search over the blind indexes: exact answers, scope first, names, filters, audit without terms."""

import json
from datetime import date, datetime

import pytest
from sqlalchemy import func, insert, select, update

from complaints.config import ConfigError, load_config
from complaints.extensions import db
from complaints.models import Case, SearchDocument, SearchTerm
from complaints.services import search, search_index
from complaints.services.cases import CaseFilters, CaseInput, list_cases, update_case
from complaints.services.errors import Invalid
from tests.conftest import audit_rows, make_user, new_case


def _find(person, text, **filters):
    page = search.search_cases(person.load(), CaseFilters(**filters), text, per_page=100)
    db.session.commit()
    return page


def _ids(page):
    return {row.case.id for row in page.rows}


@pytest.fixture
def corpus(app, people):
    """A few cases in Bang Rak (1004) and Phra Nakhon (1001) with known words and names."""
    reg = people["registrar"]
    return {
        "lamp": new_case(app, reg, subject="ไฟฟ้าส่องสว่างดับทั้งซอย", details="เสาไฟฟ้าหน้าตลาดไม่ติดมา 3 คืน",
                         category_code="lighting", received_date=date(2021, 3, 1)),
        "fire": new_case(app, reg, subject="ไฟไหม้ขยะริมคลอง", details="มีควันดำทุกเย็น",
                         category_code="waste", received_date=date(2021, 2, 1)),
        "road": new_case(app, reg, subject="ถนนชำรุดเป็นหลุมบ่อ", details="น้ำท่วมขังหลังฝนตก ถนนลื่น",
                         complainant_name="นางสาวมะลิ วงศ์ดี", received_date=date(2020, 9, 5)),
        "bribe": new_case(app, reg, subject="เจ้าหน้าที่เรียกรับเงิน", details="เทศกิจเก็บส่วยแผงลอย",
                          category_code="corruption", persons_concerned="นายสมศักดิ์ รักดี ตำแหน่งหัวหน้าฝ่ายเทศกิจ",
                          complainant_name="นายประยุทธ ใจกล้า"),
        "elsewhere": new_case(app, reg, agency_code="1001", subject="ถนนชำรุดที่พระนคร",
                              details="ไฟฟ้าส่องสว่างดับ", persons_concerned="นายสมศักดิ์ รักดี"),
        "secret": new_case(app, reg, classification="secret", subject="ถนนชำรุดในเรื่องลับมาก"),
    }


def test_keyword_finds_exactly_the_cases_containing_it(ctx, people, corpus):
    assert _ids(_find(people["registrar"], "ไฟฟ้าส่องสว่าง")) == {corpus["lamp"], corpus["elsewhere"]}
    # a match is the query as written inside the text: ไฟ is in ไฟฟ้า and in ไฟไหม้
    assert _ids(_find(people["registrar"], "ไฟ")) == {corpus["lamp"], corpus["fire"], corpus["elsewhere"]}
    # words split by a space must all occur; side by side they must occur side by side
    assert _ids(_find(people["registrar"], "ถนน น้ำท่วม")) == {corpus["road"]}
    assert _ids(_find(people["registrar"], "ลื่นถนน")) == set()
    # a word the segmenter cuts differently in the text (ท่วมขัง) is still found
    assert _ids(_find(people["registrar"], "ท่วมขัง")) == {corpus["road"]}


def test_results_are_newest_first_and_counted_after_checking(ctx, people, corpus):
    page = _find(people["registrar"], "ถนนชำรุด")
    assert [row.case.id for row in page.rows][-1] == corpus["road"]  # received 2020, the oldest
    assert page.total == len(page.rows) == 3
    assert all("ถนนชำรุด" in row.subject for row in page.rows)


def test_scope_and_clearance_limit_candidates_before_anything_is_decrypted(ctx, people, corpus):
    found = _ids(_find(people["inspector"], "ถนนชำรุด"))  # Bang Rak only, cleared to ลับ
    assert found == {corpus["road"]}
    assert corpus["elsewhere"] not in found and corpus["secret"] not in found


def test_filters_combine_with_the_query(ctx, people, corpus):
    assert _ids(_find(people["registrar"], "ไฟฟ้า", agency="1001")) == {corpus["elsewhere"]}
    assert _ids(_find(people["registrar"], "ไฟ", category="waste")) == {corpus["fire"]}
    assert _ids(_find(people["registrar"], "ถนน", fiscal_year=2564)) == {corpus["elsewhere"], corpus["secret"]}


def test_names_match_whole_normalised_names_only(ctx, people, corpus):
    registrar = people["registrar"]
    for typed in ("มะลิ วงศ์ดี", "นางสาวมะลิ  วงศ์ดี", "น.ส. มะลิ วงศ์ดี"):
        assert _ids(_find(registrar, typed)) == {corpus["road"]}, typed
    assert _ids(_find(registrar, "สมศักดิ์ รักดี")) == {corpus["bribe"], corpus["elsewhere"]}
    # never word-segmented: a part of a name is not a name
    assert _ids(_find(registrar, "มะลิ วงศ์")) == set()


def test_inspectors_cannot_find_cases_by_the_masked_complainant_name(ctx, people, corpus):
    inspector = people["inspector"]
    assert _ids(_find(inspector, "มะลิ วงศ์ดี")) == set()  # would reveal who complained
    assert _ids(_find(inspector, "ประยุทธ ใจกล้า")) == set()
    assert _ids(_find(inspector, "สมศักดิ์ รักดี")) == {corpus["bribe"]}  # officials concerned are searchable


def test_false_positives_of_the_index_never_reach_the_user(app, ctx, people, corpus):
    # 8-bit hashes: nearly every term collides with some other term, so candidates are plentiful
    app.config.update(SEARCH_TERM_BITS=8, SEARCH_NAME_BITS=8)
    search_index.forget_settings()
    search_index.reindex_batch(None, 1000, everything=True)
    db.session.commit()
    page = _find(people["registrar"], "ส่วย")
    assert _ids(page) == {corpus["bribe"]}
    # a forged index row claiming that the lamp case holds the term is checked against the text
    current = search_index.settings()
    doc = db.session.scalar(select(SearchDocument.doc_id).where(SearchDocument.case_id == corpus["lamp"]))
    forged = {"field": 2, "term": search_index.term_hash("details", "คลอง", current), "doc_id": doc}
    if not db.session.get(SearchTerm, (forged["field"], forged["term"], doc)):
        db.session.execute(insert(SearchTerm), [forged])
    db.session.commit()
    assert _ids(_find(people["registrar"], "คลอง")) == {corpus["fire"]}


def test_the_audit_entry_holds_counts_never_the_words(ctx, people, corpus):
    _find(people["registrar"], "เรียกรับเงิน เทศกิจ", agency="1004")
    entry = audit_rows(action="case.search")[-1]
    details = json.loads(entry["details"])
    assert details["terms"] == 2 and details["results"] == 1 and details["filters"] == {"agency": "1004"}
    assert details["shown"] == [corpus["bribe"]]
    flat = json.dumps(entry, ensure_ascii=False, default=str)
    for word in ("เรียกรับเงิน", "เทศกิจ", "เรียก"):
        assert word not in flat


def test_editing_a_case_reindexes_it(ctx, people, corpus):
    registrar = people["registrar"].load()
    case = db.session.get(Case, corpus["fire"])
    update_case(registrar, case.id, CaseInput(
        received_date=case.received_date, kind=case.kind, agency_code=case.agency_code,
        category_code=case.category_code, channel=case.channel, subject="ต้นไม้ล้มขวางถนน",
        details="กิ่งไม้หักทับสายไฟ"))
    db.session.commit()
    assert corpus["fire"] not in _ids(_find(people["registrar"], "ไฟไหม้"))
    assert _ids(_find(people["registrar"], "กิ่งไม้")) == {corpus["fire"]}
    assert db.session.scalar(select(func.count()).select_from(SearchDocument)
                             .where(SearchDocument.case_id == corpus["fire"])) == 1


def test_a_candidate_that_fails_to_decrypt_is_reported_not_shown(ctx, people, corpus):
    other = db.session.get(Case, corpus["fire"])
    db.session.execute(update(Case).where(Case.id == corpus["lamp"]).values(details_ct=other.details_ct,
                                                                           subject_ct=other.subject_ct))
    db.session.commit()
    page = _find(people["registrar"], "ไฟ")
    assert corpus["lamp"] in page.unreadable and corpus["lamp"] not in _ids(page)
    entry = audit_rows(action="case.search")[-1]
    assert entry["outcome"] == "error" and json.loads(entry["details"])["failed"] == [corpus["lamp"]]


def test_a_broad_query_is_marked_partial(app, ctx, people, corpus):
    app.config["SEARCH_VERIFY_LIMIT"] = 2
    page = _find(people["registrar"], "ถนน")
    assert page.truncated and page.total <= 2
    assert json.loads(audit_rows(action="case.search")[-1]["details"])["partial"] == 2


@pytest.mark.parametrize("typed", ["", "   ", "ๆ", "!!", "x" * 201, " ".join(["ถนน"] * 11)])
def test_unsearchable_queries_are_refused_in_thai(ctx, people, typed):
    with pytest.raises(Invalid) as caught:
        search.search_cases(people["registrar"].load(), CaseFilters(), typed)
    assert "คำค้น" in caught.value.errors["q"]


def test_roles_without_case_access_cannot_search(ctx, people, corpus):
    from complaints.services.errors import Forbidden

    with pytest.raises(Forbidden):
        search.search_cases(people["auditor"].load(), CaseFilters(), "ถนน")


def test_index_version_change_is_noticed_and_rebuilt(app, ctx, people, corpus):
    assert not search_index.is_stale()
    app.config["SEARCH_TERM_BITS"] = 20
    search_index.forget_settings()
    assert search_index.is_stale() and search_index.status().stale == len(corpus)
    result = search_index.reindex_batch(None, 3)
    db.session.commit()
    assert result.done == 3 and search_index.status().stale == len(corpus) - 3
    search_index.reindex_batch(result.last_case_id, 100)
    db.session.commit()
    assert not search_index.is_stale()
    assert _ids(_find(people["registrar"], "ส่วย")) == {corpus["bribe"]}


def test_reindex_command_rebuilds_and_reports_progress_into_a_log(app, people, corpus, monkeypatch):
    from itertools import count

    from complaints import cli_search

    ticks = count(step=11)  # every batch looks 11 seconds after the last: a progress line each time
    monkeypatch.setattr(cli_search, "monotonic", lambda: next(ticks))
    app.config["SEARCH_TERM_BITS"] = 20
    with app.app_context():
        search_index.forget_settings()
    result = app.test_cli_runner().invoke(args=["reindex", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert f"re-indexed 2 / {len(corpus)} cases" in result.output  # not a terminal: lines, not a bar
    assert f"• re-indexed {len(corpus)} cases" in result.output
    with app.app_context():
        assert not search_index.is_stale()
        assert _ids(_find(people["registrar"], "ส่วย")) == {corpus["bribe"]}


def test_every_creation_path_indexes(ctx, people):
    from complaints.services import demo

    demo.generate_cases(40, seed=3)
    db.session.commit()
    state = search_index.status()
    assert state.cases == state.current == 40 and not search_index.is_stale()
    some = db.session.scalar(select(Case).order_by(Case.id).limit(1))
    reader = make_user("reader", ["executive"])
    subject = search.search_cases(reader, CaseFilters(), "ร้องเรียน", per_page=100)  # noqa: F841
    assert some.id


def test_sealing_cases_writes_nothing_until_the_flush(ctx, people):
    """The import seals every case before it writes (no SQLite lock held meanwhile): indexing must not
    open a database transaction or flush by itself, even with cold caches."""
    from sqlalchemy import event

    from complaints.services.cases import build_sealed_case

    statements = []
    db.session.rollback()
    search_index.forget_settings()
    data = CaseInput(received_date=date(2021, 1, 1), kind="complaint", agency_code="1004", category_code="road",
                     channel="letter", subject="ถนนชำรุดหน้าวัด")
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.session.get_bind(), "before_cursor_execute", listener)
    try:
        with db.session.no_autoflush:
            cases_made = [build_sealed_case(None, data, f"S{n}/2564") for n in range(3)]
            holds_connection = bool(db.session().info.get(search_index._ON_CONNECTION))
        sealing = list(statements)
        db.session.commit()
    finally:
        event.remove(db.session.get_bind(), "before_cursor_execute", listener)
    assert not holds_connection  # the session began no database transaction (no SQLite lock held)
    assert not any(s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) for s in sealing)
    assert _ids(_find(people["registrar"], "หน้าวัด")) == {c.id for c in cases_made}


def test_results_span_years_newest_first_and_a_partial_result_keeps_the_newest(app, ctx, people):
    registrar = people["registrar"]
    received = [date(2019, 12, 30), date(2020, 6, 1), date(2021, 2, 14), date(2021, 2, 15), date(2021, 3, 9)]
    made = {day: new_case(app, registrar, subject=f"ทางม้าลายลบเลือน {n}", received_date=day)
            for n, day in enumerate(received)}
    newest_first = [made[day] for day in sorted(received, reverse=True)]
    page = _find(registrar, "ทางม้าลาย")
    assert [row.case.id for row in page.rows] == newest_first and not page.truncated
    app.config["SEARCH_VERIFY_LIMIT"] = 2
    page = _find(registrar, "ทางม้าลาย")
    assert [row.case.id for row in page.rows] == newest_first[:2] and page.truncated


def test_a_partial_result_cut_within_a_day_keeps_the_cases_entered_last(app, ctx, people, monkeypatch):
    # Index documents of one day are ordered by a random number, here the reverse of the order of entry:
    # the search must still keep the cases entered last, as the case list orders them.
    countdown = iter(range(2**search_index.DAY_SHIFT - 1, 0, -1))
    monkeypatch.setattr(search_index, "new_doc_id",
                        lambda received: received.toordinal() << search_index.DAY_SHIFT | next(countdown))
    registrar = people["registrar"]
    later = new_case(app, registrar, subject="หาบเร่แผงลอยบนทางเท้า", received_date=date(2021, 7, 2))
    same_day = [new_case(app, registrar, subject=f"หาบเร่แผงลอย ร้านที่ {n}", received_date=date(2021, 7, 1))
                for n in range(5)]
    app.config["SEARCH_VERIFY_LIMIT"] = 3
    page = _find(registrar, "หาบเร่")
    assert [row.case.id for row in page.rows] == [later, same_day[4], same_day[3]] and page.truncated
    app.config["SEARCH_VERIFY_LIMIT"] = 6
    page = _find(registrar, "หาบเร่")
    assert [row.case.id for row in page.rows] == [later, *reversed(same_day)] and not page.truncated


def test_an_export_checks_more_candidates_than_a_page(app, ctx, people):
    registrar = people["registrar"]
    made = {new_case(app, registrar, subject=f"ตู้ไปรษณีย์ชำรุด {n}") for n in range(4)}
    app.config.update(SEARCH_VERIFY_LIMIT=2, SEARCH_EXPORT_LIMIT=10)
    page = _find(registrar, "ตู้ไปรษณีย์")
    assert page.total == 2 and page.truncated
    exported = search.export_search(registrar.load(), CaseFilters(), "ตู้ไปรษณีย์")
    db.session.commit()
    assert {case.id for case in exported} == made


def test_ties_in_entry_time_are_ordered_as_the_case_list_orders_them(app, ctx, people):
    registrar = people["registrar"]
    for n in range(6):
        new_case(app, registrar, subject=f"ตู้ไปรษณีย์ {n}", received_date=date(2021, 1, 1))
    db.session.execute(update(Case).values(created_at=datetime(2021, 1, 1, 9)))  # one import: one instant
    db.session.commit()
    listed = [row.case.id for row in list_cases(registrar.load(), CaseFilters(), per_page=100).rows]
    for limit in range(1, 8):
        app.config["SEARCH_VERIFY_LIMIT"] = limit
        assert [row.case.id for row in _find(registrar, "ตู้ไปรษณีย์").rows] == listed[:limit], limit


def test_the_masked_complainant_name_index_is_never_read_for_an_inspector(app, ctx, people, monkeypatch):
    # Checking after decryption would hide the case, but a candidate from the masked index would still
    # show through the "partial result" notice: that index must not be read for such a user at all.
    new_case(app, people["registrar"], subject="ถนนชำรุด", complainant_name="นางสาวมะลิ วงศ์ดี")
    checked = []
    real_check = search._check
    monkeypatch.setattr(search, "_check", lambda actor, query, order, *rest: (
        checked.extend(order), real_check(actor, query, order, *rest))[1])
    app.config["SEARCH_VERIFY_LIMIT"] = 0
    page = _find(people["inspector"], "มะลิ วงศ์ดี")
    assert checked == [] and not page.truncated
    page = _find(people["registrar"], "มะลิ วงศ์ดี")
    assert page.truncated  # a registrar does get the candidate: the test tells the two apart


def test_search_limits_below_one_are_refused(tmp_path):
    for name in ("COMPLAINTS_SEARCH_VERIFY_LIMIT", "COMPLAINTS_SEARCH_EXPORT_LIMIT"):
        with pytest.raises(ConfigError, match=name):
            load_config(str(tmp_path), {name: "0"})
    assert load_config(str(tmp_path), {})["SEARCH_VERIFY_LIMIT"] == 300


def test_a_word_only_in_the_conclusion_is_found_and_words_may_sit_in_different_fields(app, ctx, people):
    registrar = people["registrar"]
    case = new_case(app, registrar, subject="ร้องเรียนร้านค้าบนทางเท้า", details="วางของขายกีดขวาง",
                    conclusion="สำนักงานเขตสั่งรื้อถอนแผงค้าแล้ว")
    new_case(app, registrar, subject="ร้องเรียนร้านค้าส่งเสียงดัง", details="เปิดเพลงดังทั้งคืน")
    assert _ids(_find(registrar, "รื้อถอน")) == {case}
    assert _ids(_find(registrar, "ทางเท้า กีดขวาง รื้อถอน")) == {case}


def test_a_case_holding_the_word_in_several_fields_is_one_candidate(app, ctx, people):
    registrar = people["registrar"]
    made = {new_case(app, registrar, subject=f"ป้ายโฆษณารุกล้ำ {n}", details="ป้ายโฆษณาบังทางเท้า",
                     conclusion="รื้อป้ายโฆษณาแล้ว") for n in range(3)}
    app.config["SEARCH_VERIFY_LIMIT"] = 3
    page = _find(registrar, "ป้ายโฆษณา")
    assert _ids(page) == made and page.total == 3 and not page.truncated


def _move(registrar, case_id, **changes):
    """Change only metadata (agency, classification): the texts stay as they are, so nothing is re-indexed."""
    case = db.session.get(Case, case_id)
    fields = {"received_date": case.received_date, "kind": case.kind, "agency_code": case.agency_code,
              "category_code": case.category_code, "channel": case.channel, "subject": "ถนนชำรุดที่พระนคร",
              "details": "ไฟฟ้าส่องสว่างดับ", "persons_concerned": "นายสมศักดิ์ รักดี",
              "classification": case.classification, "register_no": case.register_no}
    update_case(registrar.load(), case_id, CaseInput(**{**fields, **changes}))
    db.session.commit()
    document = db.session.scalar(select(SearchDocument).where(SearchDocument.case_id == case_id))
    case = db.session.get(Case, case_id)
    assert (document.agency_code, document.classification) == (case.agency_code, case.classification)


def test_the_index_copy_of_agency_and_classification_follows_the_case(ctx, people, corpus):
    moved, inspector = corpus["elsewhere"], people["inspector"]  # Bang Rak (1004), cleared to ลับ
    assert moved not in _ids(_find(inspector, "ถนนชำรุด"))
    _move(people["registrar"], moved, agency_code="1004")
    assert moved in _ids(_find(inspector, "ถนนชำรุด"))
    _move(people["registrar"], moved, agency_code="1004", classification="secret")  # above the inspector
    assert moved not in _ids(_find(inspector, "ถนนชำรุด"))
    assert moved in _ids(_find(people["registrar"], "ถนนชำรุด"))


def test_a_forged_index_copy_does_not_widen_the_scope(ctx, people, corpus):
    # Someone with write access to the database points the index's copy at the inspector's agency: the
    # search may now consider the case, but the case's own agency still decides, so it is not shown.
    db.session.execute(update(SearchDocument).where(SearchDocument.case_id == corpus["elsewhere"])
                       .values(agency_code="1004"))
    db.session.execute(update(SearchDocument).where(SearchDocument.case_id == corpus["secret"])
                       .values(classification="unclassified"))
    db.session.commit()
    found = _ids(_find(people["inspector"], "ถนนชำรุด"))
    assert found == {corpus["road"]}


def test_changing_the_received_date_moves_the_case_in_the_index(ctx, people):
    registrar = people["registrar"].load()
    case = make_case_for_index(registrar)
    before = db.session.scalar(select(SearchDocument.doc_id).where(SearchDocument.case_id == case.id))
    update_case(registrar, case.id, CaseInput(
        received_date=date(2019, 1, 2), kind=case.kind, agency_code=case.agency_code,
        category_code=case.category_code, channel=case.channel, subject="ป้ายรถเมล์ชำรุด"))
    db.session.commit()
    after = db.session.scalar(select(SearchDocument.doc_id).where(SearchDocument.case_id == case.id))
    assert after != before and after >> search_index.DAY_SHIFT == date(2019, 1, 2).toordinal()
    assert db.session.scalar(select(func.count()).select_from(SearchTerm).where(SearchTerm.doc_id == before)) == 0
    assert _ids(_find(people["registrar"], "ป้ายรถเมล์")) == {case.id}


def make_case_for_index(registrar):
    from tests.conftest import make_case

    return make_case(registrar, subject="ป้ายรถเมล์ชำรุด", received_date=date(2021, 5, 5))
