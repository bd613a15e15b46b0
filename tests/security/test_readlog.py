"""The read log [CONFIDENTIALITY]: written on every view, append-only, a hash chain that names the
first broken row, purged past the retention period with a checkpoint, safe with parallel writers."""

from __future__ import annotations

import importlib
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.test import Client as HttpClient
from django.utils import timezone

from charterdesk.security import readlog
from charterdesk.security.models import AppendOnlyError, ReadKind, ReadLogEntry
from tests.security.conftest import World


def _signed_in(user) -> HttpClient:
    client = HttpClient(REMOTE_ADDR="10.1.2.3")
    client.force_login(user)  # with the second factor given (tests/conftest.py)
    return client


def test_case_page_and_attachment_are_logged_with_who_when_what_where(world: World):
    case = world.cases["anna"]
    client = _signed_in(world.anna.user)
    before = timezone.now()
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    attachment = next(a for m in case.messages.all() for a in m.attachments.all())
    assert client.get(f"/cases/{case.pk}/attachments/{attachment.pk}/").status_code == 200
    page, file = ReadLogEntry.objects.order_by("id")
    assert (page.kind, page.case_id, page.client_id, page.label) == (
        ReadKind.CASE,
        case.pk,
        case.client_id,
        case.reference,
    )
    assert (page.username, page.user_id, page.ip, page.source) == (
        world.anna.user.username,
        world.anna.user.pk,
        "10.1.2.3",
        "desk",
    )
    assert page.path == f"/cases/{case.pk}/" and page.at >= before
    assert (file.kind, file.object_id, file.case_id, file.label) == (
        ReadKind.ATTACHMENT,
        attachment.pk,
        case.pk,
        "izziņa.pdf",
    )
    assert file.prev_hash == page.hash


def test_a_refused_view_is_not_logged_as_a_read(world: World):
    client = _signed_in(world.anna.user)
    assert client.get(f"/cases/{world.cases['ilze'].pk}/").status_code == 404
    assert not ReadLogEntry.objects.exists()


def test_admin_views_of_a_client_card_and_a_case_are_logged(world: World):
    world.dace.user.is_staff = True
    world.dace.user.is_superuser = True
    world.dace.user.save()
    client = _signed_in(world.dace.user)
    case = world.cases["anna"]
    assert client.get(f"/admin/clients/client/{case.client_id}/change/").status_code == 200
    assert client.get(f"/admin/cases/case/{case.pk}/change/").status_code == 200
    kinds = list(ReadLogEntry.objects.order_by("id").values_list("kind", "source", "client_id"))
    assert kinds == [
        ("client", "admin", case.client_id),
        ("case", "admin", case.client_id),
    ]


def test_the_administrator_reads_no_case_in_the_admin(world: World):
    client = _signed_in(world.admin)
    listing = client.get("/admin/cases/case/")
    assert listing.status_code == 200
    assert world.cases["anna"].reference not in listing.content.decode()
    assert client.get(f"/admin/cases/case/{world.cases['anna'].pk}/change/").status_code == 302
    assert not ReadLogEntry.objects.filter(kind="case").exists()


def _fill(n: int) -> list[ReadLogEntry]:
    return [
        readlog.log_read(user=None, kind=ReadKind.CASE, object_id=i, case_id=i, label=f"C-{i}")
        for i in range(n)
    ]


@pytest.mark.django_db
def test_rows_refuse_update_and_delete():
    (row,) = _fill(1)
    row.label = "changed"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()


@pytest.mark.django_db
def test_verify_names_the_first_changed_removed_or_inserted_row(capsys):
    rows = _fill(6)
    call_command("security", "verify-log")
    assert "read log intact: 6 rows" in capsys.readouterr().out

    # Changed behind the model's back: that row's own hash no longer matches.
    ReadLogEntry.objects.filter(pk=rows[2].pk).update(label="C-999")
    verdict = readlog.verify()
    assert (verdict.ok, verdict.broken_id) == (False, rows[2].pk)
    assert "changed" in verdict.problem
    with pytest.raises(CommandError) as error:
        call_command("security", "verify-log")
    assert error.value.returncode == 1
    assert f"broken at row {rows[2].pk}" in str(error.value)
    ReadLogEntry.objects.filter(pk=rows[2].pk).update(label="C-2")
    assert readlog.verify().ok

    # Removed: the next row's link does not match.
    ReadLogEntry.objects.filter(pk=rows[3].pk)._raw_delete(ReadLogEntry.objects.db)
    verdict = readlog.verify()
    assert (verdict.ok, verdict.broken_id) == (False, rows[4].pk)
    assert "removed or inserted" in verdict.problem


@pytest.mark.django_db
def test_a_removed_first_row_is_found():
    rows = _fill(3)
    ReadLogEntry.objects.filter(pk=rows[0].pk)._raw_delete(ReadLogEntry.objects.db)
    verdict = readlog.verify()
    assert (verdict.ok, verdict.broken_id) == (False, rows[1].pk)


@pytest.mark.django_db
def test_a_rehashed_row_still_breaks_the_link_of_the_next(settings):
    rows = _fill(4)
    values = dict(
        zip(
            ["id", *readlog.HASHED],
            ReadLogEntry.objects.filter(pk=rows[1].pk).values_list("id", *readlog.HASHED)[0],
            strict=True,
        )
    )
    values["label"] = "forged"
    forged = readlog.row_hash(rows[1].prev_hash, values)
    ReadLogEntry.objects.filter(pk=rows[1].pk).update(label="forged", hash=forged)
    verdict = readlog.verify()
    assert (verdict.ok, verdict.broken_id) == (False, rows[2].pk)


@pytest.mark.django_db
def test_purge_keeps_the_chain_verifiable(settings, capsys):
    settings.CHARTERDESK_READ_LOG_RETENTION_DAYS = 30
    old = _fill(4)
    ReadLogEntry.objects.filter(pk__in=[r.pk for r in old]).update(
        at=timezone.now() - timedelta(days=40)
    )
    # The time is hashed: re-chain the aged rows as if they had been written then.
    prev = readlog.GENESIS
    for row in ReadLogEntry.objects.order_by("id"):
        values = {name: getattr(row, name) for name in readlog.HASHED}
        digest = readlog.row_hash(prev, values)
        ReadLogEntry.objects.filter(pk=row.pk).update(prev_hash=prev, hash=digest)
        prev = digest
    recent = _fill(3)
    assert readlog.verify().ok

    call_command("security", "purge-log")
    out = capsys.readouterr().out
    assert f"removed 4 rows through row {old[-1].pk}" in out
    assert not ReadLogEntry.objects.filter(pk__in=[r.pk for r in old]).exists()
    assert ReadLogEntry.objects.filter(pk__in=[r.pk for r in recent]).count() == 3
    checkpoint = ReadLogEntry.objects.get(kind=ReadKind.CHECKPOINT)
    assert checkpoint.object_id == old[-1].pk
    verdict = readlog.verify()
    assert verdict.ok and verdict.rows == 4, verdict
    _fill(1)
    assert readlog.verify().ok

    # Nothing left to purge: unchanged, said so.
    call_command("security", "purge-log")
    assert "unchanged" in capsys.readouterr().out

    # Removing the first remaining row after a purge is still found.
    ReadLogEntry.objects.filter(pk=recent[0].pk)._raw_delete(ReadLogEntry.objects.db)
    assert readlog.verify().broken_id == recent[1].pk


def _write_in_parallel() -> list[BaseException]:
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            start.wait()
            for i in range(25):
                readlog.log_read(user=None, kind=ReadKind.CASE, object_id=n * 100 + i)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_parallel_writers_keep_one_chain():
    """Eight threads, each with its own connection, write 25 rows each at once."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time; the lock matters on PostgreSQL")
    assert not _write_in_parallel()
    assert ReadLogEntry.objects.count() == 200
    verdict = readlog.verify()
    assert verdict.ok, verdict
    prevs = list(ReadLogEntry.objects.values_list("prev_hash", flat=True))
    assert len(set(prevs)) == 200  # no two rows link to the same predecessor


@pytest.mark.django_db(transaction=True)
def test_without_the_lock_parallel_writers_fork_the_chain():
    """The test above can fail: with the advisory lock taken out of the append function, rows
    written at once link to the same predecessor and verify names the first of them."""
    if connection.vendor != "postgresql":
        pytest.skip("the append function is PostgreSQL's")
    function = importlib.import_module("charterdesk.security.migrations.0002_append_function")

    with connection.cursor() as cursor:
        cursor.execute(function.FUNCTION.replace("PERFORM pg_advisory_xact_lock", "-- "))
    try:
        for _attempt in range(5):
            assert not _write_in_parallel()
            if not readlog.verify().ok:
                break
        verdict = readlog.verify()
        assert not verdict.ok and "removed or inserted" in verdict.problem, verdict
    finally:
        with connection.cursor() as cursor:
            cursor.execute(function.FUNCTION)
