"""``complaints import FILE [--dry-run]`` on the command line."""

import json

from sqlalchemy import func, select

from complaints.extensions import db
from complaints.models import Case
from tests.conftest import audit_rows
from tests.importing.files import csv_bytes, messy_register, simple_rows


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Case))


def test_dry_run_reports_every_problem_and_writes_nothing(app, tmp_path):
    path = tmp_path / "messy.xlsx"
    path.write_bytes(messy_register())
    result = app.test_cli_runner().invoke(args=["import", str(path), "--dry-run"])
    assert result.exit_code == 1, result.output  # rows with errors and no --skip-invalid
    for expected in ("วันที่รับเรื่อง (วว/ดด/ปปปป) -> วันที่รับเรื่อง (อัตโนมัติ)", "แถว 8 [วันที่รับเรื่อง (วว/ดด/ปปปป)]: ไม่มีวันที่",
                     "แถว 11 [หน่วยงาน]: ไม่รู้จักหน่วยงาน “เขตเลิงนกทา”", "ทดลองเท่านั้น", "พร้อมนำเข้า 6"):
        assert expected in result.output, expected
    assert _count(app) == 0


def test_import_with_progress_then_again_adds_nothing(app, tmp_path):
    path = tmp_path / "register.csv"
    path.write_bytes(csv_bytes(simple_rows(250), "cp874"))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import", str(path), "--default", "channel=hotline_1555"])
    assert result.exit_code == 0, result.output
    assert "TIS-620" in result.output and "นำเข้า 250 เรื่องแล้ว" in result.output
    assert _count(app) == 250
    with app.app_context():
        [entry] = audit_rows(action="import.commit")
        assert entry["actor_name"] == "cli" and json.loads(entry["details"])["imported"] == 250
        assert db.session.scalar(select(func.count()).select_from(Case).where(Case.channel == "hotline_1555")) == 250
    again = runner.invoke(args=["import", str(path)])
    assert again.exit_code == 0 and "ไม่มีเรื่องใหม่ที่จะนำเข้า" in again.output and _count(app) == 250


def test_errors_stop_the_import_unless_skipped_and_columns_can_be_mapped_by_hand(app, tmp_path):
    path = tmp_path / "messy.xlsx"
    path.write_bytes(messy_register())
    runner = app.test_cli_runner()
    assert runner.invoke(args=["import", str(path)]).exit_code == 1 and _count(app) == 0
    result = runner.invoke(args=["import", str(path), "--skip-invalid", "--column", "ลำดับ=-",
                                 "--default", "closed_outcome=terminated"])
    assert result.exit_code == 0, result.output
    assert _count(app) == 7  # row 16 now has its default outcome


def test_unusable_file_or_mapping_exits_2(app, tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 64)
    result = app.test_cli_runner().invoke(args=["import", str(path)])
    assert result.exit_code == 2 and ".xls" in result.output
    path = tmp_path / "register.csv"
    path.write_bytes(csv_bytes(simple_rows(2)))
    result = app.test_cli_runner().invoke(args=["import", str(path), "--column", "วันที่รับเรื่อง=-"])
    assert result.exit_code == 2 and "วันที่รับเรื่อง" in result.output
