"""Render times of the report pages and exports at 100,000 cases.

    .venv/bin/python bench/bench_reports.py                    # 100,000 cases in a scratch SQLite file
    .venv/bin/python bench/bench_reports.py --cases 20000 --keep /tmp/bench-reports
    COMPLAINTS_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/bench_reports \\
        .venv/bin/python bench/bench_reports.py                # the same on PostgreSQL (the database is emptied)

Builds the cases with ``complaints.services.demo.generate_cases`` (sealed like real cases, each with
its own data key), signs in as an executive (every agency) and an inspector (one zone and one
department), and requests each page several times through the app (the whole request: gate, queries,
template, audit entry, commit). Prints the first (cold) time, the median and the slowest of the rest;
the target for pages is under 300 ms. ``--keep DIR`` keeps the database and keyring there and
reuses them on the next run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, func, select, text  # noqa: E402

from complaints import create_app  # noqa: E402
from complaints.crypto import Keyring  # noqa: E402

PASSWORD = "bench-reports-password-2569"  # noqa: S105 (a scratch account of the benchmark)
TARGET_MS = 300
PAGES = [
    "/",
    "/reports/top3",
    "/reports/top3?fiscal_year=2565",
    "/reports/top3?fiscal_year=2563-2565",
    "/reports/agency",
    "/reports/agency/1004",
    "/reports/agency/1004?fiscal_year=2565",
    "/reports/zones",
    "/reports/zones?fiscal_year=2565",
]
EXPORTS = [
    "/reports/top3.csv?fiscal_year=2565",
    "/reports/top3.xlsx?fiscal_year=2565",
    "/reports/zones.xlsx",
    "/reports/agency/1004.xlsx?suppress=1",
    "/reports/agency/1004.pdf?fiscal_year=2565",
]


def _app(url: str, keyring: Keyring, folder: Path):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "KEYRING": keyring, "KEYRING_PATH": str(folder / "keyring.json"),
                       "WTF_CSRF_ENABLED": False, "COMPLAINTS_ENV": "development"})


def _prepare(app, cases: int) -> None:
    from flask_migrate import upgrade

    from complaints.extensions import db
    from complaints.models import Case
    from complaints.services import demo, reference, users

    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        reference.load_reference_data()
        for name, roles, scope in (("bench-exec", ["executive"], {"all_agencies": True}),
                                   ("bench-insp", ["inspector"], {"zones": ["south"], "agencies": ["public-works"]})):
            if not users.get_by_username(name):
                users.create_user(None, username=name, display_name=name, password=PASSWORD, roles=roles,
                                  clearance="top_secret", **scope)
        db.session.commit()
        have = db.session.scalar(select(func.count()).select_from(Case))
        step, seed = 5000, have
        started = time.perf_counter()
        while have < cases:
            batch = min(step, cases - have)
            demo.generate_cases(batch, seed=seed)
            db.session.commit()
            have += batch
            seed += 1
            print(f"  {have:,} cases ({time.perf_counter() - started:.0f} s)", flush=True)
        db.session.commit()
        # What autovacuum does some time after a bulk import: fresh statistics and, on PostgreSQL, the
        # visibility map that lets the report queries read the covering index alone.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE" if db.engine.dialect.name == "sqlite" else "VACUUM ANALYZE cases"))
        print(f"the register holds {db.session.scalar(select(func.count()).select_from(Case)):,} cases")


def _time(client, url: str, repeat: int) -> tuple[float, float, float, float, int]:
    """Wall-clock ms of the first request, median and slowest of the rest, and the median CPU ms of
    this process (the app and, on SQLite, the database: the figure that other work on a shared
    machine does not inflate)."""
    walls, cpus = [], []
    status = 0
    for _ in range(repeat + 1):
        started, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        status = response.status_code
    return walls[0], statistics.median(walls[1:]), max(walls[1:]), statistics.median(cpus[1:]), status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the database and keyring in this folder")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-reports-"))
    folder.mkdir(parents=True, exist_ok=True)
    keyring_file = folder / "keyring.json"
    keyring = Keyring.load(keyring_file) if keyring_file.exists() else Keyring.generate()
    keyring.save(keyring_file)
    url = os.environ.get("COMPLAINTS_BENCH_DATABASE_URL") or f"sqlite:///{folder / 'bench.db'}"
    if url.startswith("postgresql") and not (args.keep and (folder / "pg-ready").exists()):
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    print(f"database: {url.split('@')[-1]}")
    app = _app(url, keyring, folder)
    _prepare(app, args.cases)
    if url.startswith("postgresql"):
        (folder / "pg-ready").touch()

    slow = []
    for user in ("bench-exec", "bench-insp"):
        client = app.test_client()
        response = client.post("/login", data={"username": user, "password": PASSWORD})
        assert response.status_code == 302, f"sign-in of {user} failed"
        print(f"\n{user}: wall-clock first / median / slowest of {args.repeat}, median CPU (ms)")
        for url_path in PAGES + EXPORTS:
            first, median, worst, cpu, status = _time(client, url_path, args.repeat)
            mark = "" if url_path not in PAGES or median < TARGET_MS else "  <-- over target"
            if mark:
                slow.append((user, url_path, median))
            print(f"  {url_path:45} {status}  {first:7.0f} {median:7.0f} {worst:7.0f} {cpu:7.0f}{mark}")
    print(f"\npages whose median is over {TARGET_MS} ms: {len(slow)}")
    if not args.keep:
        print(f"(scratch files in {folder}; remove them when done)")


if __name__ == "__main__":
    main()
