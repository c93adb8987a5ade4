"""Search quality on the real Traffy Fondue comments: precision and recall per query, against a
plaintext substring search of the same texts.

Loads the comments as the details of cases in a scratch SQLite database (encrypted and indexed as in
production), runs each query through the real search as an executive, and compares with the ground
truth "every space-separated word of the query occurs in the comment as written".

    .venv/bin/python bench/search_quality.py                       # the test's query list
    .venv/bin/python bench/search_quality.py --queries my-words.txt  # one query per line
    .venv/bin/python bench/search_quality.py ไฟ หมา "น้ำท่วม ซอย"
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    from flask_migrate import upgrade

    from complaints import create_app
    from complaints.crypto import Keyring
    from complaints.extensions import db
    from complaints.services import reference, users
    from tests.services.test_search_quality import QUERIES, REAL_FILE, evaluate, load_as_cases, real_comments

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("words", nargs="*", help="queries (default: the test's list)")
    parser.add_argument("--queries", type=Path, help="a file with one query per line")
    parser.add_argument("--file", type=Path, default=REAL_FILE, help="the Traffy Fondue CSV")
    args = parser.parse_args()
    queries = args.words or ([line.strip() for line in args.queries.read_text(encoding="utf-8").splitlines()
                              if line.strip()] if args.queries else QUERIES)
    with tempfile.TemporaryDirectory() as scratch:
        Keyring.generate().save(Path(scratch) / "keyring.json")
        app = create_app({"COMPLAINTS_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{scratch}/q.db",
                          "KEYRING_PATH": f"{scratch}/keyring.json", "SEARCH_VERIFY_LIMIT": 100_000})
        with app.app_context():
            upgrade(directory=app.extensions["migrate"].directory)
            reference.load_reference_data()
            secret = "quality-check-reader-2566"  # noqa: S105 (a throw-away account in a scratch database)
            reader = users.create_user(None, username="reader", display_name="reader", password=secret,
                                       roles=["executive"], clearance="top_secret")
            db.session.commit()
            import tests.services.test_search_quality as quality

            quality.REAL_FILE = args.file
            stored = load_as_cases(real_comments())
            results = evaluate(reader, stored, queries)
            db.engine.dispose()
    print(f"{len(stored)} comments, {len(queries)} queries\n")
    print(f"{'query':<24} {'relevant':>8} {'found':>6} {'wrong':>6} {'missed':>7} {'precision':>10} {'recall':>7}")
    for query, tp, fp, fn in results:
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        print(f"{query:<24} {tp + fn:>8} {tp + fp:>6} {fp:>6} {fn:>7} {precision:>10.3f} {recall:>7.3f}")
    tp, fp, fn = (sum(r[i] for r in results) for i in (1, 2, 3))
    print(f"\noverall (micro): precision {tp / (tp + fp) if tp + fp else 1:.4f}, recall {tp / (tp + fn):.4f} "
          f"over {tp + fn} relevant (query, case) pairs")


if __name__ == "__main__":
    main()
