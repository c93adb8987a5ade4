"""Benchmark of the audit log: appending, verifying and the auditor's queries on a large log.

    .venv/bin/python bench/audit_bench.py [--entries 100000] [--database URL]

Without ``--database`` a scratch SQLite file is used. A PostgreSQL URL must name a scratch database:
its ``public`` schema is dropped and rebuilt. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

BENCH_PASSWORD = "bench-" + uuid.uuid4().hex  # throw-away accounts of a scratch database


@contextmanager
def timed(label: str, count: int | None = None):
    start = time.perf_counter()
    yield
    elapsed = time.perf_counter() - start
    rate = f"  ({count / elapsed:,.0f}/s, {1000 * elapsed / count:.3f} ms each)" if count else ""
    print(f"{label:<58} {elapsed * 1000:>10,.1f} ms{rate}")


def build_app(url: str | None, workdir: Path):
    from argon2 import PasswordHasher

    from complaints import create_app, passwords
    from complaints.crypto import Keyring

    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    if url and url.startswith("postgresql"):
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    url = url or f"sqlite:///{workdir / 'bench.db'}"
    return create_app({"COMPLAINTS_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url, "KEYRING": Keyring.generate(),
                       "KEYRING_PATH": str(workdir / "keyring.json")})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--database", default=None)
    args = parser.parse_args()

    import audit
    from complaints.extensions import db, keys
    from complaints.models import Case
    from complaints.services import audit_alerts, audit_integrity, audit_reader, audit_trail, reference, users
    from complaints.thai import fiscal_year

    workdir = Path(tempfile.mkdtemp(prefix="audit-bench-"))
    app = build_app(args.database, workdir)
    rng = random.Random(2565)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade(directory=app.extensions["migrate"].directory)
        reference.load_reference_data()
        staff = [users.create_user(None, username=f"user{n:02d}", display_name=f"ผู้ใช้ทดสอบ {n}",
                                   password=BENCH_PASSWORD, roles=["inspector"], all_agencies=True)
                 for n in range(20)]
        auditor = users.create_user(None, username="auditor", display_name="ผู้ตรวจสอบ",
                                    password=BENCH_PASSWORD, roles=["auditor"])
        registrar = users.create_user(None, username="registrar", display_name="เจ้าหน้าที่ทะเบียน",
                                      password=BENCH_PASSWORD, roles=["registrar", "executive"],
                                      all_agencies=True, clearance="top_secret")
        db.session.commit()
        case_ids = [str(uuid.uuid4()) for _ in range(2000)]
        print(f"database: {db.engine.url.render_as_string(hide_password=True)}; entries: {args.entries:,}")

        connection_key = keys.current.audit_mac_key
        policy = audit_trail.checkpoint_policy()
        start = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=30)
        step = timedelta(days=30) / args.entries
        kinds = [("case.view", "ok")] * 60 + [("case.list", "ok")] * 20 + [("auth.login", "ok")] * 8 + [
            ("case.view", "denied")] * 2 + [("case.update", "ok")] * 5 + [("report.export", "ok")] * 5
        with timed("bulk append (1,000 entries per transaction)", args.entries):
            for i in range(args.entries):
                actor = rng.choice(staff)
                action, outcome = rng.choice(kinds)
                audit.append(db.session.connection(), connection_key, audit.AuditEvent(
                    action=action, outcome=outcome, actor_id=actor.id, actor_name=actor.username,
                    object_type="case" if action.startswith("case.") and action != "case.list" else None,
                    object_id=rng.choice(case_ids) if action in ("case.view", "case.update") else None,
                    details={"n": i}, occurred_at=start + i * step),
                    signer=keys.current.audit_signing_key, policy=policy)
                if i % 1000 == 999:
                    db.session.commit()
            db.session.commit()

        per_request = 500
        with timed("append + commit, one entry per transaction (a request)", per_request):
            for i in range(per_request):
                audit_trail.record(staff[0], "case.view", object_type="case", object_id=case_ids[0], i=i)
                db.session.commit()

        total = args.entries + per_request + len(staff) + 2
        with timed("verify the whole chain", total):
            result = audit_integrity.verify()
        print(f"    -> {result.summary()}")

        queries = {
            "auditor page 1, no filter": audit_reader.AuditFilters(),
            "filter: one user": audit_reader.AuditFilters(actor_id=staff[3].id),
            "filter: action + outcome (denied views)": audit_reader.AuditFilters(action="case.view", outcome="denied"),
            "filter: one day (B.E. date range)": audit_reader.AuditFilters(
                date_from=date.today() - timedelta(days=10), date_to=date.today() - timedelta(days=10)),
            "filter: one case (id prefix, also in details)": audit_reader.AuditFilters(case_id=case_ids[5][:8]),
        }
        for label, filters in queries.items():
            with timed(label):
                page = audit_reader.entries(auditor, filters)
            db.session.commit()
            print(f"    -> {page.total:,} entries")
        for label, filters in (("CSV export rows: one user", audit_reader.AuditFilters(actor_id=staff[3].id)),
                               ("CSV export rows: everything", audit_reader.AuditFilters())):
            with timed(label):
                export = audit_reader.export(auditor, filters)
                rows = sum(1 for _ in export.rows)
            db.session.commit()
            print(f"    -> {rows:,} rows")
        settings = audit_alerts.AlertSettings(views_per_hour=10)
        with timed("alerts, last 7 days (baseline 30 days)"):
            alerts = audit_alerts.unusual_access(auditor, date.today() - timedelta(days=6), date.today(), settings)
        db.session.commit()
        print(f"    -> {len(alerts):,} alerts")

        case = Case(id=case_ids[0], register_no="1/2569", received_date=date.today(),
                    fiscal_year=fiscal_year(date.today()), kind="complaint", classification="unclassified",
                    urgency="normal", channel="letter", agency_code="1004", category_code="road", status="received")
        db.session.add(case)
        db.session.flush()
        with timed("'who viewed this case' panel (a much-viewed case)"):
            viewers = audit_reader.case_viewers(registrar, case)
        print(f"    -> {len(viewers.people)} people, {viewers.total_views:,} views")
        db.session.rollback()

        client = app.test_client()
        from complaints.services import sessions

        with app.test_request_context():
            token = sessions.start(auditor, "127.0.0.1")
            db.session.commit()
        with client.session_transaction() as session:
            session["sid"], session["_user_id"], session["_fresh"] = token, str(auditor.id), True
        for url in ("/audit", f"/audit?user={staff[3].id}", "/audit/alerts"):
            with timed(f"GET {url} (whole request, rendered)"):
                response = client.get(url)
            assert response.status_code == 200, response.status_code
        db.engine.dispose()


if __name__ == "__main__":
    main()
