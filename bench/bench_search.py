"""Benchmark: what encryption costs the register, on N synthetic cases (default 100,000).

Builds (or reuses, with --reuse) a SQLite database of N demo cases made by
``complaints.services.demo.generate_cases`` (encrypted, blind-indexed, as in production), and a
plaintext copy of the same cases in a second SQLite file. Then times, server side (service call plus
commit, as one request does), p50 and p95 over many runs:

* agency filter: one page of an agency's cases, newest first, with subjects (``cases.list_cases``);
* keyword search: one word or phrase in subject, details or conclusion (``search.search_cases``),
  as an inspector of one zone and as an executive who sees every agency;
* name search: a person's whole name (``search.search_cases``, a registrar who may see complainants);
* case view: one case opened with decryption and its audit entry (``cases.view_case``);

and the same questions on the plaintext copy (indexed metadata, LIKE for keywords, an indexed name
column, a plain audit row per read), so the cost of encryption shows as a ratio. ``--http`` adds the
same search and view through the whole Flask stack (test client: gate, session, template).

    .venv/bin/python bench/bench_search.py                 # 100,000 cases (build takes a while)
    .venv/bin/python bench/bench_search.py --cases 5000    # a quick run
    .venv/bin/python bench/bench_search.py --reuse         # time again without rebuilding
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Words of the synthetic texts. "Specific": each is in 0.5-4 % of the cases (what an inspector looks
# for: a topic, a road, a misconduct). "Broad": in 10-40 % of the cases, more than any search can check.
KEYWORDS = ["ไฟฟ้าส่องสว่าง", "น้ำท่วมขัง", "เรียกรับเงิน", "ฮั้วประมูล", "สุนัขจรจัด", "สายสื่อสาร", "ผักตบชวา",
            "กล้องวงจรปิด", "ถนนสุขุมวิท", "ท่อระบายน้ำ อุดตัน", "ละเว้นการปฏิบัติหน้าที่", "ราวสะพานลอย",
            "ป้ายจราจร", "คนไร้บ้าน", "ตอกเสาเข็ม"]
BROAD = ["ขยะ", "มีมูล", "ทางเท้า", "หน้าวัด"]
PASSWORD = "bench-password-2565-xyz"  # noqa: S105 (a throw-away benchmark account)


def _quantiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[94] * 1000


def _timed(fn, runs: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """(p50, p95) of wall-clock time and of this process's CPU time, in ms. On a shared machine the CPU
    time is the cost of the request itself; the wall time adds the wait for a core."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return _quantiles(wall), _quantiles(cpu)


DATABASE_URL = None  # --database-url: the encrypted register in PostgreSQL instead of workdir/register.db


def make_app(workdir: Path):
    from complaints import create_app

    return create_app({
        "COMPLAINTS_ENV": "testing", "TESTING": True, "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": DATABASE_URL or f"sqlite:///{workdir / 'register.db'}",
        "KEYRING_PATH": str(workdir / "keyring.json"),
    })


def build(workdir: Path, count: int, seed: int) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import inspect

    from complaints.crypto import Keyring
    from complaints.extensions import db
    from complaints.services import demo, reference, users

    workdir.mkdir(parents=True, exist_ok=True)
    for old in workdir.glob("register.db*"):
        old.unlink()
    Keyring.generate().save(workdir / "keyring.json")
    app = make_app(workdir)
    with app.app_context():
        if DATABASE_URL and inspect(db.engine).get_table_names():
            sys.exit(f"{DATABASE_URL} is not empty: the benchmark builds only in an empty database "
                     "(it adds accounts with a fixed password)")
        upgrade(directory=app.extensions["migrate"].directory)
        reference.load_reference_data()
        for name, roles, extra in (("b-registrar", ["registrar"], {"all_agencies": True}),
                                   ("b-executive", ["executive"], {}),
                                   ("b-inspector", ["inspector"], {"zones": ["south"]})):
            users.create_user(None, username=name, display_name=name, password=PASSWORD, roles=roles,
                              clearance="top_secret", **extra)
        demo.create_demo_users()
        db.session.commit()
        started, chunk, made = time.perf_counter(), 2000, 0
        while made < count:
            step = min(chunk, count - made)
            demo.generate_cases(step, seed + made)
            db.session.commit()
            db.session.expunge_all()
            made += step
            rate = made / (time.perf_counter() - started)
            print(f"  built {made:,} / {count:,} encrypted cases ({rate:,.0f}/s)", flush=True)
        if db.engine.dialect.name == "postgresql":  # statistics and the visibility map (index-only scans)
            db.session.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE")
        else:
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()


def build_plain(app, workdir: Path) -> None:
    """The same cases decrypted into a plaintext SQLite file with comparable indexes."""
    from sqlalchemy import select

    from complaints.extensions import db
    from complaints.models import Case
    from complaints.search_text import names_in
    from complaints.services import vault
    from complaints.services.cases import _open

    path = workdir / "plain.db"
    for old in workdir.glob("plain.db*"):
        old.unlink()
    plain = sqlite3.connect(path)
    plain.executescript("""
        PRAGMA journal_mode=WAL;
        CREATE TABLE cases (id TEXT PRIMARY KEY, register_no TEXT, fiscal_year INT, received_date TEXT,
            created_at TEXT, kind TEXT, classification TEXT, agency_code TEXT, category_code TEXT, status TEXT,
            subject TEXT, details TEXT, complainant_name TEXT, complainant_contact TEXT, complainant_id_no TEXT,
            persons_concerned TEXT, conclusion TEXT);
        CREATE INDEX ix_agency_year ON cases (agency_code, fiscal_year);
        CREATE INDEX ix_received ON cases (received_date, created_at);
        CREATE TABLE names (case_id TEXT, field TEXT, name TEXT);
        CREATE INDEX ix_names ON names (name);
        CREATE TABLE audit (seq INTEGER PRIMARY KEY, at TEXT, actor TEXT, action TEXT, object TEXT, details TEXT);
    """)
    with app.app_context():
        offset = 0
        while True:
            batch = list(db.session.scalars(select(Case).order_by(Case.id).limit(5000).offset(offset)))
            if not batch:
                break
            data_keys = vault.load_data_keys("cases", [c.id for c in batch])
            rows, names = [], []
            for case in batch:
                values = _open(case, data_keys[case.id], ["subject", "details", "complainant_name",
                                                          "complainant_contact", "complainant_id_no",
                                                          "persons_concerned", "conclusion"])
                rows.append((case.id, case.register_no, case.fiscal_year, case.received_date.isoformat(),
                             case.created_at.isoformat(), case.kind, case.classification, case.agency_code,
                             case.category_code, case.status, values["subject"], values["details"],
                             values["complainant_name"], values["complainant_contact"], values["complainant_id_no"],
                             values["persons_concerned"], values["conclusion"]))
                for field in ("complainant_name", "persons_concerned"):
                    names += [(case.id, field, n) for n in names_in(values[field])]
            plain.executemany(f"INSERT INTO cases VALUES ({','.join('?' * 17)})", rows)
            plain.executemany("INSERT INTO names VALUES (?, ?, ?)", names)
            plain.commit()
            db.session.expunge_all()
            offset += len(batch)
            print(f"  plaintext copy: {offset:,} cases", flush=True)
    plain.execute("ANALYZE")
    plain.commit()
    plain.close()


class Plain:
    """The plaintext baseline: the same questions, the same scope rules, an audit row per request."""

    def __init__(self, path: Path, zone_agencies: list[str]):
        self.db = sqlite3.connect(path, isolation_level=None)
        self.zone = zone_agencies

    def _audit(self, action: str, details: str) -> None:
        self.db.execute("INSERT INTO audit (at, actor, action, object, details) VALUES (datetime('now'), ?, ?, ?, ?)",
                        ("bench", action, None, details))

    def _scope(self, scoped: bool) -> tuple[str, list]:
        if not scoped:
            return "1=1", []
        return f"agency_code IN ({','.join('?' * len(self.zone))})", list(self.zone)

    def agency_page(self, agency: str) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        where, params = self._scope(True)
        self.db.execute(f"SELECT count(*) FROM cases WHERE {where} AND agency_code = ?", [*params, agency]).fetchone()
        self.db.execute(f"SELECT id, register_no, subject FROM cases WHERE {where} AND agency_code = ? "
                        "ORDER BY received_date DESC, created_at DESC, id LIMIT 25", [*params, agency]).fetchall()
        self._audit("case.list", agency)
        self.db.execute("COMMIT")

    def keyword(self, word: str, scoped: bool) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        where, params = self._scope(scoped)
        parts = word.split()
        match = " AND ".join("(subject LIKE ? OR details LIKE ? OR conclusion LIKE ?)" for _ in parts)
        like = [f"%{p}%" for p in parts for _ in range(3)]
        self.db.execute(f"SELECT count(*) FROM cases WHERE {where} AND {match}", [*params, *like]).fetchone()
        self.db.execute(f"SELECT id, register_no, subject FROM cases WHERE {where} AND {match} "
                        "ORDER BY received_date DESC, created_at DESC, id LIMIT 25", [*params, *like]).fetchall()
        self._audit("case.search", "1")
        self.db.execute("COMMIT")

    def name(self, name: str) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        self.db.execute("SELECT c.id, c.register_no, c.subject FROM cases c JOIN names n ON n.case_id = c.id "
                        "WHERE n.name = ? ORDER BY c.received_date DESC, c.created_at DESC, c.id LIMIT 25",
                        (name,)).fetchall()
        self._audit("case.search", "1")
        self.db.execute("COMMIT")

    def view(self, case_id: str) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        self.db.execute("SELECT * FROM cases WHERE id = ?", (case_id,)).fetchone()
        self._audit("case.view", case_id)
        self.db.execute("COMMIT")


def run(workdir: Path, runs: int, http: bool, verify_limit: int | None = None) -> None:
    from sqlalchemy import func, select

    from complaints.extensions import db
    from complaints.models import Agency, Case, SearchTerm
    from complaints.services import cases, search, users
    from complaints.services.cases import CaseFilters

    app = make_app(workdir)
    if verify_limit:
        app.config["SEARCH_VERIFY_LIMIT"] = verify_limit
    rng = random.Random(7)
    with app.app_context():
        inspector, executive, registrar = (users.get_by_username(n) for n in ("b-inspector", "b-executive",
                                                                               "b-registrar"))
        zone = list(db.session.scalars(select(Agency.code).where(Agency.zone_code == "south")))
        total = db.session.scalar(select(func.count()).select_from(Case))
        terms = db.session.scalar(select(func.count()).select_from(SearchTerm))
        in_zone = list(db.session.scalars(select(Case.id).where(Case.agency_code.in_(zone))))
        sample = rng.sample(in_zone, min(len(in_zone), 400))
        names = []
        plain_db = sqlite3.connect(workdir / "plain.db")
        names = [r[0] for r in plain_db.execute(
            "SELECT name FROM names WHERE field = 'complainant_name' ORDER BY random() LIMIT 200")]
        plain_db.close()
        print(f"\n{total:,} cases, {terms:,} index rows; inspector scope: zone 'south' ({len(zone)} agencies, "
              f"{len(in_zone):,} cases); verify limit {app.config['SEARCH_VERIFY_LIMIT']:,}; {runs} runs each\n")

        def commit_after(fn):
            def call():
                fn()
                db.session.commit()
            return call

        plain = Plain(workdir / "plain.db", zone)
        results = []
        results.append(("agency filter (inspector, 1 page)",
                        _timed(commit_after(lambda: cases.list_cases(inspector, CaseFilters(agency=rng.choice(zone)))),
                               runs),
                        _timed(lambda: plain.agency_page(rng.choice(zone)), runs)))
        for label, actor, scoped, words in (("keyword search (inspector, 1 zone)", inspector, True, KEYWORDS),
                                            ("keyword search (executive, all)", executive, False, KEYWORDS),
                                            ("broad word (inspector, 1 zone)", inspector, True, BROAD),
                                            ("broad word (executive, all)", executive, False, BROAD)):
            results.append((label,
                            _timed(commit_after(lambda a=actor, w=words: search.search_cases(a, CaseFilters(),
                                                                                             rng.choice(w))), runs),
                            _timed(lambda s=scoped, w=words: plain.keyword(rng.choice(w), s), runs)))
        results.append(("name search (registrar, all)",
                        _timed(commit_after(lambda: search.search_cases(registrar, CaseFilters(), rng.choice(names))),
                               runs),
                        _timed(lambda: plain.name(rng.choice(names)), runs)))
        results.append(("case view with decryption and audit",
                        _timed(commit_after(lambda: cases.view_case(inspector, rng.choice(sample))), runs),
                        _timed(lambda: plain.view(rng.choice(sample)), runs)))
        db.session.remove()

    if http:
        client = app.test_client()
        client.post("/login", data={"username": "b-inspector", "password": PASSWORD})
        results.append(("HTTP: POST /cases search (inspector)",
                        _timed(lambda: client.post("/cases", data={"q": rng.choice(KEYWORDS)}), runs // 2), None))
        results.append(("HTTP: GET /cases/<id> (inspector)",
                        _timed(lambda: client.get(f"/cases/{rng.choice(sample)}"), runs // 2), None))

    print("milliseconds; wall = elapsed, cpu = this process's CPU time (the machine is shared)\n")
    print(f"{'operation':<38} {'encrypted wall':>16} {'cpu':>13}   {'plaintext wall':>16} {'cpu':>13}  "
          f"{'ratio p95 wall':>14} {'cpu':>5}")
    print(f"{'':<38} {'p50':>7} {'p95':>8} {'p50':>6} {'p95':>6}   {'p50':>7} {'p95':>8} {'p50':>6} {'p95':>6}")
    for label, ((w50, w95), (c50, c95)), baseline in results:
        line = f"{label:<38} {w50:>7.1f} {w95:>8.1f} {c50:>6.1f} {c95:>6.1f}"
        if baseline:
            (b50, b95), (bc50, bc95) = baseline
            line += f"   {b50:>7.1f} {b95:>8.1f} {bc50:>6.1f} {bc95:>6.1f}  {w95 / b95:>13.1f}x {c95 / bc95:>4.1f}x"
        print(line)
    print(f"\nload average during the run: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} cores)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2565)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--reuse", action="store_true", help="time the database built by an earlier run")
    parser.add_argument("--http", action="store_true", help="also time search and view through the Flask stack")
    parser.add_argument("--verify-limit", type=int, help="SEARCH_VERIFY_LIMIT for this run (default: the app's)")
    parser.add_argument("--database-url", help="build the encrypted register in this (empty) PostgreSQL database; "
                                               "the plaintext baseline stays a SQLite file")
    args = parser.parse_args()
    global DATABASE_URL
    DATABASE_URL = args.database_url
    workdir = args.out / f"search-{args.cases}"
    built = (workdir / "plain.db").exists() and (args.database_url or (workdir / "register.db").exists())
    if not (args.reuse and built):
        started = time.perf_counter()
        print(f"building {args.cases:,} encrypted cases in {workdir} …", flush=True)
        build(workdir, args.cases, args.seed)
        build_plain(make_app(workdir), workdir)
        print(f"built in {time.perf_counter() - started:,.0f} s", flush=True)
    run(workdir, args.runs, args.http, args.verify_limit)


if __name__ == "__main__":
    main()
