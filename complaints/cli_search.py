"""``complaints reindex``: rebuild the blind indexes (after a pipeline, dictionary or bit-length change).

Attached to the ``complaints`` command by ``complaints.cli``.
"""

from __future__ import annotations

import sys
from time import monotonic

import click
from flask.cli import with_appcontext


@click.command("reindex")
@click.option("--all", "everything", is_flag=True, help="Rebuild every case, not only stale and missing ones.")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 50_000))
@click.option("--status", "status_only", is_flag=True, help="Only show how many cases need re-indexing.")
@with_appcontext
def reindex_command(everything: bool, batch_size: int, status_only: bool) -> None:
    """Rebuild the search indexes of cases, in batches (each committed), with progress. Safe to interrupt
    and run again: cases already indexed with the current pipeline are skipped."""
    from complaints.extensions import db
    from complaints.services import audit_trail, search_index

    search_index.forget_settings()
    state = search_index.status()
    click.echo(f"index version {state.version}: {state.current:,} of {state.cases:,} cases current, "
               f"{state.stale:,} to rebuild")
    if status_only:
        return
    total = state.cases if everything else state.stale
    done, failed, cursor = 0, [], None
    # Into a log file or a pipe the bar shows nothing until the end: a line every 10 seconds instead.
    lines, last_line = not sys.stdout.isatty(), monotonic()
    with click.progressbar(length=total, label="re-indexing", show_pos=True) as bar:
        while True:
            batch = search_index.reindex_batch(cursor, batch_size, everything=everything)
            db.session.commit()
            db.session.expunge_all()
            if batch.last_case_id is None:
                break
            cursor = batch.last_case_id
            done += batch.done
            failed += batch.failed
            bar.update(batch.done + len(batch.failed))
            if lines and monotonic() - last_line >= 10:
                click.echo(f"  re-indexed {done + len(failed):,} / {total:,} cases")
                last_line = monotonic()
    audit_trail.record(None, "search.reindex", actor_name="cli", outcome="error" if failed else "ok",
                       version=state.version, cases=done, failed=len(failed), everything=everything)
    db.session.commit()
    click.echo(f"• re-indexed {done:,} cases" + (f"; {len(failed)} could not be decrypted: " + ", ".join(failed[:20])
                                                  if failed else ""))
