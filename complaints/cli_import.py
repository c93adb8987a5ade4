"""``complaints import FILE [--dry-run]``: the historical records from an XLSX or CSV file.

Shows the column mapping and every problem by row and column, then (unless ``--dry-run``) writes
the whole file in one transaction with a progress bar. Exit status: 0 imported (or, with
``--dry-run``, importable), 1 rows with errors and no ``--skip-invalid`` (or a conflict), 2 a file or
mapping that cannot be used at all.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

SEVERITY = {"error": "ข้อผิดพลาด", "warning": "ควรตรวจสอบ", "info": "ข้อมูล"}


def _pairs(values: tuple[str, ...], what: str) -> list[tuple[str, str]]:
    pairs = []
    for value in values:
        if "=" not in value:
            raise click.BadParameter(f"ต้องอยู่ในรูป {what} เช่น comment=details", param_hint=value)
        left, right = value.rsplit("=", 1)
        pairs.append((left.strip(), right.strip()))
    return pairs


def _mapping(mapping_name, columns, defaults):
    from complaints.services import importing
    from complaints.services.importing import mappings
    from complaints.services.importing.fields import FIELD_BY_CODE, FIELDS, header_key

    mapping = importing.Mapping()
    if mapping_name:
        saved = mappings.find(None, mapping_name)
        if saved is None:
            click.secho(f"ไม่พบการจับคู่ชื่อ “{mapping_name}”", fg="red", err=True)
            sys.exit(2)
        mapping = importing.Mapping.from_dict(saved.mapping)
    by_label = {str(f.label): f.code for f in FIELDS}
    for header, field in _pairs(columns, "หัวคอลัมน์=ช่อง"):
        code = "" if field in ("-", "") else by_label.get(field, field)
        if code and code not in FIELD_BY_CODE:
            raise click.BadParameter(f"ไม่รู้จักช่อง “{field}” ใช้ได้: {', '.join(FIELD_BY_CODE)}")
        mapping.columns[header_key(header)] = code
    for name, code in _pairs(defaults, "ชื่อ=รหัส"):
        if name not in importing.DEFAULTS:
            raise click.BadParameter(f"ไม่รู้จักค่าเริ่มต้น “{name}” ใช้ได้: {', '.join(importing.DEFAULTS)}")
        mapping.defaults[name] = code
    return mapping


def _report(plan, show: int) -> None:
    from complaints.services.importing.fields import FIELD_BY_CODE

    click.echo("การจับคู่คอลัมน์:")
    for column in plan.layout.columns.values():
        target = str(FIELD_BY_CODE[column.field].label) if column.field else "(ไม่นำเข้า)"
        note = " (อัตโนมัติ)" if column.auto else ""
        click.echo(f"  {column.header} -> {target}{note}")
    for blocking in plan.blocking:
        click.secho(f"! {blocking}", fg="red")
    counts = plan.counts()
    click.echo(f"ผลการตรวจสอบ: {counts['rows']:,} แถว · พร้อมนำเข้า {counts['ready']:,} · "
               f"ข้อผิดพลาด {counts['invalid']:,} · ควรตรวจสอบ {counts['warnings']:,} · "
               f"มีในทะเบียนแล้ว {counts['already_present']:,} · ซ้ำในไฟล์ {counts['duplicates_in_file']:,}")
    many_sheets = len(plan.layout.sheets) > 1
    for severity, colour in (("error", "red"), ("warning", "yellow"), ("info", None)):
        problems = plan.problems_of(severity)
        if not problems:
            continue
        click.secho(f"{SEVERITY[severity]} ({len(problems):,}):", fg=colour)
        for problem in problems[:show]:
            where = "ทั้งไฟล์" if problem.row is None else (
                f"{problem.sheet} แถว {problem.row}" if many_sheets else f"แถว {problem.row}")
            column = f" [{problem.column}]" if problem.column else ""
            click.echo(f"  {where}{column}: {problem.message}")
        if len(problems) > show:
            click.echo(f"  … อีก {len(problems) - show:,} รายการ (ใช้ --show เพื่อแสดงมากขึ้น)")


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and report only; nothing is written.")
@click.option("--mapping", "mapping_name", help="Use a column mapping saved on the import page (its name).")
@click.option("--column", "columns", multiple=True, metavar="HEADER=FIELD",
              help="Map a column by hand, e.g. --column comment=details (FIELD '-' leaves it out).")
@click.option("--default", "defaults", multiple=True, metavar="NAME=CODE",
              help="Value for blank cells: kind, channel, classification, urgency, category, agency, closed_outcome.")
@click.option("--skip-invalid", is_flag=True, help="Import the valid rows and leave out the rows with errors.")
@click.option("--show", default=30, show_default=True, help="How many problems of each kind to list.")
@with_appcontext
def import_command(path: Path, dry_run, mapping_name, columns, defaults, skip_invalid, show) -> None:
    """Import historical records from an XLSX or CSV file (UTF-8, UTF-8 with BOM or TIS-620)."""
    from complaints.extensions import db
    from complaints.services import importing
    from complaints.services.errors import Invalid

    content = path.read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    try:
        table = importing.read_source(content, path.name)
    except importing.UnreadableFile as exc:
        click.secho(f"อ่านไฟล์ไม่ได้: {exc}", fg="red", err=True)
        sys.exit(2)
    plan = importing.build_plan(table, _mapping(mapping_name, columns, defaults), importing.load_reference(None))
    rows = sum(len(s.rows) for s in table.sheets)
    click.echo(f"ไฟล์: {path.name} ({table.format.upper()}{', ' + table.encoding if table.encoding else ''}, "
               f"{rows:,} แถว, SHA-256 {digest[:16]}…)")
    _report(plan, show)
    if plan.blocking:
        sys.exit(2)
    if dry_run:
        click.echo("ทดลองเท่านั้น (--dry-run) ไม่มีการบันทึกข้อมูล")
        sys.exit(0 if plan.may_commit(skip_invalid) or not plan.ready else 1)
    if not plan.ready:
        click.echo("ไม่มีเรื่องใหม่ที่จะนำเข้า")
        return
    if not plan.may_commit(skip_invalid):
        click.secho(f"ไม่ได้นำเข้า: มี {plan.count('invalid'):,} แถวที่มีข้อผิดพลาด แก้ไขไฟล์ หรือใช้ --skip-invalid "
                    "เพื่อนำเข้าเฉพาะแถวที่ถูกต้อง", fg="red", err=True)
        sys.exit(1)
    db.session.rollback()  # no transaction (and on SQLite no lock) while the cases are sealed
    source = importing.Source(digest, len(content), table.format, mapping_name=mapping_name)
    with click.progressbar(length=len(plan.ready), label="กำลังนำเข้า", show_pos=True) as bar:
        def progress(_phase: str, done: int, _total: int) -> None:
            bar.update(done - bar.pos)

        try:
            counts = importing.commit_plan(None, plan, source, skip_invalid=skip_invalid, progress=progress)
            db.session.commit()
        except (importing.ImportConflict, Invalid) as exc:
            db.session.rollback()
            click.secho(f"\nไม่ได้นำเข้า ไม่มีการบันทึกข้อมูลใด ๆ: {exc}", fg="red", err=True)
            sys.exit(1)
        except BaseException:
            db.session.rollback()
            raise
    click.echo(f"นำเข้า {counts['imported']:,} เรื่องแล้ว (มีในทะเบียนแล้ว {counts['already_present']:,}, "
               f"ซ้ำในไฟล์ {counts['duplicates_in_file']:,}, ข้ามแถวที่มีข้อผิดพลาด {counts['invalid']:,})")
