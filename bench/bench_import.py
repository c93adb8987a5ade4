"""How long an import of a large register takes: generate a file, preview it, commit it.

    .venv/bin/python bench/bench_import.py [--rows 10000] [--format xlsx|csv] [--database URL]

Without --database it works in a scratch SQLite database under a temporary directory (migrated,
reference data loaded). The file looks like an office register: Thai headers, Buddhist-era dates
typed as text, agency names written several ways, topics, subjects, details and complainants.
Prints the time of each step; the target is under 60 seconds for 10,000 rows on the office machine.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HEADERS = ["ลำดับ", "เลขทะเบียนรับ", "วันที่รับเรื่อง", "ช่องทาง", "หน่วยงาน", "ประเภทเรื่อง", "เรื่อง", "รายละเอียด",
           "ชื่อผู้ร้องเรียน", "โทรศัพท์", "ชั้นความลับ", "สถานะ", "ผลการพิจารณา", "ผลสรุปของผู้บังคับบัญชา"]


def make_rows(count: int, seed: int = 2565) -> list[list]:
    from complaints import demo_texts as texts

    rng = random.Random(seed)
    with open(Path(__file__).resolve().parent.parent / "complaints/reference_data/bangkok_districts.csv",
              encoding="utf-8") as handle:
        districts = list(csv.DictReader(handle))
    spellings = [lambda d: f"เขต{d['name_th']}", lambda d: f"สำนักงานเขต{d['name_th']}", lambda d: d["name_th"],
                 lambda d: d["name_en"]]
    topics = {"road": "ถนน", "footpath": "ทางเท้า", "flood": "น้ำท่วม", "waste": "ขยะ", "lighting": "ไฟฟ้าส่องสว่าง",
              "drainage": "ท่อระบายน้ำ", "vendors": "หาบเร่-แผงลอย", "noise": "เสียงรบกวน", "corruption": "ทุจริต"}
    outcomes = ["มีมูล", "ไม่มีมูล", "แก้ไขแล้ว", "ส่งหน่วยงานที่เกี่ยวข้อง", "ยุติเรื่อง"]
    rows = [HEADERS]
    for number in range(1, count + 1):
        district = rng.choice(districts)
        code = rng.choice(list(topics))
        subjects, details = texts.TOPICS[code]
        fill = {"place": rng.choice(texts.PLACES), "soi": rng.choice(texts.SOIS),
                "landmark": rng.choice(texts.LANDMARKS), "district": district["name_th"],
                "official": rng.choice(texts.OFFICIALS), "days": rng.randint(3, 60)}
        year = rng.choice([2563, 2564, 2565])
        month = rng.randint(1, 12)
        received = f"{rng.randint(1, 28):02d}/{month:02d}/{year - (1 if month >= 10 else 0)}"
        closed = rng.random() < 0.6
        rows.append([
            number, f"{number}/{year}", received, rng.choice(["หนังสือ", "1555", "Traffy Fondue", "ศูนย์ดำรงธรรม"]),
            rng.choice(spellings)(district), topics[code], rng.choice(subjects).format(**fill),
            rng.choice(details).format(**fill),
            f"{rng.choice(texts.TITLES)}{rng.choice(texts.FIRST_NAMES)} {rng.choice(texts.SURNAMES)}",
            f"08{rng.randrange(10 ** 8):08d}", rng.choice(["", "", "", "ลับ"]),
            "ยุติ/ปิดเรื่อง" if closed else "อยู่ระหว่างดำเนินการ", rng.choice(outcomes) if closed else "",
            texts.CONCLUSIONS["resolved"] if closed else "",
        ])
    return rows


def to_xlsx(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "ทะเบียน"
    for cells in rows:
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def to_csv(rows: list[list]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("cp874")  # an old Thai Windows file


def scratch_app(directory: Path, database: str | None):
    from complaints import create_app
    from complaints.crypto import Keyring

    keyring = Keyring.generate()
    url = database or f"sqlite:///{directory / 'bench.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "KEYRING": keyring, "KEYRING_PATH": str(directory / "k.json")})
    from flask_migrate import upgrade

    from complaints.extensions import db
    from complaints.services import reference

    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        reference.load_reference_data()
        db.session.commit()
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    parser.add_argument("--database", help="SQLAlchemy URL of an empty, migrated database (default: scratch SQLite)")
    args = parser.parse_args()
    os.environ.setdefault("COMPLAINTS_ENV", "development")

    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        directory = Path(tmp)
        started = time.perf_counter()
        rows = make_rows(args.rows)
        content = to_xlsx(rows) if args.format == "xlsx" else to_csv(rows)
        print(f"file: {args.rows:,} rows, {args.format}, {len(content) / 1e6:.1f} MB "
              f"(generated in {time.perf_counter() - started:.1f} s)")
        app = scratch_app(directory, args.database)
        from complaints.extensions import db
        from complaints.services import importing

        with app.app_context():
            timings = {}
            start = time.perf_counter()
            table = importing.read_source(content, f"bench.{args.format}")
            timings["read file"] = time.perf_counter() - start
            start = time.perf_counter()
            plan = importing.build_plan(table, importing.Mapping(), importing.load_reference(None))
            timings["preview (check every row)"] = time.perf_counter() - start
            db.session.rollback()
            counts = plan.counts()
            print(f"preview: ready {counts['ready']:,}, errors {counts['invalid']:,}, "
                  f"warnings {counts['warnings']:,}")
            source = importing.Source(hashlib.sha256(content).hexdigest(), len(content), args.format)
            phases = {}

            def progress(phase, done, total):
                phases.setdefault(phase, time.perf_counter())

            start = time.perf_counter()
            result = importing.commit_plan(None, plan, source, skip_invalid=True, progress=progress)
            db.session.commit()
            end = time.perf_counter()
            timings["seal (encrypt, index)"] = phases.get("saving", end) - start
            timings["write (one transaction)"] = end - phases.get("saving", end)
            total = sum(timings.values())
            for name, seconds in timings.items():
                print(f"  {name:<28} {seconds:7.2f} s")
            print(f"  {'total':<28} {total:7.2f} s   ({result['imported'] / total:,.0f} cases/s)")
            print(f"imported {result['imported']:,} cases; target for 10,000 rows: under 60 s -> "
                  f"{'OK' if total < 60 * args.rows / 10_000 else 'TOO SLOW'}")


if __name__ == "__main__":
    main()
