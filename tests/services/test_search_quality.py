"""Search quality on real Thai complaint text (Traffy Fondue), against a plaintext substring search.

The 1,000 real comments become the details of 1,000 cases; each query goes through the real search
(blind index, decryption, check) as an executive who sees every case, and is compared with a plain
substring search of the same comments: a case is relevant when every space-separated word of the query
occurs in its text as written (for a one-word query: ``query in text``). Precision must be 1.0 and
recall at least 0.9. The file is read from ``../shared/realdata`` (never copied into the repository);
the test is skipped when it is absent.
"""

from __future__ import annotations

import csv
import os
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from complaints import PROJECT_ROOT
from complaints.extensions import db
from complaints.models import Agency
from complaints.services import cases, search
from complaints.services.cases import CaseFilters, CaseInput

REAL_FILE = Path(os.environ.get("COMPLAINTS_REALDATA_DIR", PROJECT_ROOT.parent / "shared" / "realdata")) \
    / "traffy_fondue_sample.csv"

# What people type: roads, lights, flooding, district names, officials' misconduct, everyday nuisances.
QUERIES = [
    "ถนน", "ถนนชำรุด", "หลุม", "ผิวจราจร", "ทางเท้า", "ฟุตบาท", "ซอย", "สะพาน", "ทางม้าลาย",
    "ไฟฟ้า", "ไฟ", "ไฟดับ", "เสาไฟ", "สายไฟ", "ไฟส่องสว่าง", "ไฟจราจร",
    "น้ำท่วม", "น้ำขัง", "ท่อระบายน้ำ", "ฝาท่อ", "คลอง", "น้ำเน่า",
    "บางเขน", "จตุจักร", "ลาดพร้าว", "บางกะปิ", "ห้วยขวาง", "คลองเตย", "บางนา", "ดินแดง", "สาทร", "ลาดกระบัง",
    "เจ้าหน้าที่", "เทศกิจ", "ทุจริต", "สินบน", "ไม่สุภาพ", "ละเลย", "ล่าช้า", "ไม่ดำเนินการ",
    "ขยะ", "กลิ่นเหม็น", "เสียงดัง", "จอดรถ", "หาบเร่", "แผงลอย", "สุนัข", "ต้นไม้", "มอเตอร์ไซค์", "ฝุ่น",
    "น้ำท่วม ซอย", "ไฟ ดับ",
]


def real_comments() -> list[dict[str, str]]:
    with REAL_FILE.open(encoding="utf-8-sig", newline="") as handle:
        return [row for row in csv.DictReader(handle) if (row.get("comment") or "").strip()]


def load_as_cases(rows: list[dict[str, str]]) -> dict[str, str]:
    """Each comment becomes the details of a case (subject: the ticket id); returns case id -> details."""
    agencies = {a.name_th: a.code for a in db.session.scalars(select(Agency).where(Agency.kind == "district"))}
    stored = {}
    for number, row in enumerate(rows, start=1):
        data = CaseInput(received_date=date(2023, 5, 1), kind="complaint", channel="traffy", category_code="other",
                         agency_code=agencies.get(row.get("district", "").strip(), "1004"),
                         subject=row["ticket_id"], details=row["comment"])
        case = cases.build_sealed_case(None, data, f"T{number}/2566")
        stored[case.id] = row["comment"].strip()
    db.session.commit()
    return stored


def relevant(query: str, text: str) -> bool:
    """The plaintext ground truth: every space-separated word of the query occurs in the text."""
    return all(word in text for word in query.split())


def evaluate(actor, stored: dict[str, str], queries: list[str]) -> list[tuple[str, int, int, int]]:
    """(query, true positives, false positives, false negatives) per query."""
    results = []
    for query in queries:
        found = {row.case.id for row in search.search_cases(actor, CaseFilters(), query, per_page=len(stored)).rows}
        truth = {case_id for case_id, text in stored.items() if relevant(query, text)}
        results.append((query, len(found & truth), len(found - truth), len(truth - found)))
    db.session.commit()
    return results


@pytest.mark.skipif(not REAL_FILE.exists(), reason=f"real sample not found at {REAL_FILE}")
def test_precision_is_one_and_recall_at_least_ninety_percent_on_real_text(app, ctx, people):
    app.config["SEARCH_VERIFY_LIMIT"] = 10_000  # every candidate checked: the figures are exact
    stored = load_as_cases(real_comments())
    assert len(stored) >= 900
    results = evaluate(people["executive"].load(), stored, QUERIES)
    tp, fp, fn = (sum(r[i] for r in results) for i in (1, 2, 3))
    misses = {q: n for q, _, _, n in results if n}
    print(f"\nreal text: {len(QUERIES)} queries, {tp + fn} relevant pairs; precision {tp / (tp + fp):.4f}, "
          f"recall {tp / (tp + fn):.4f}; missed per query: {misses}")
    assert len(QUERIES) >= 30
    assert fp == 0, [r for r in results if r[2]]
    assert tp / (tp + fn) >= 0.9
    assert all(t + n > 0 for _, t, _, n in results[:10]), "the first queries must have relevant cases"
