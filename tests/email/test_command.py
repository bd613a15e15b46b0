"""``charterdesk email …``: import from Maildir, mbox, .eml and folders; quarantine; status."""

from __future__ import annotations

import mailbox
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from charterdesk.cases.models import Case
from charterdesk.channels.email.models import InboundEmail, InboundState
from tests.email.messages import build

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("email", *args, stdout=out)
    return out.getvalue()


def _maildir(path, raws):
    box = mailbox.Maildir(str(path), create=True)
    for raw in raws:
        box.add(raw)
    return path


def test_import_maildir_twice_takes_each_message_once(tmp_path):
    raws = [build(subject=f"Nr. {i}", sender=f"c{i}@example.lv") for i in range(5)]
    path = _maildir(tmp_path / "Maildir", raws)
    out = run("import", str(path))
    assert "Stored 5 new messages" in out and "5 taken in" in out
    out = run("import", str(path))
    assert "Stored 0 new messages" in out and "(5 were already stored)" in out
    assert Case.objects.count() == 5


def test_import_mbox_keeps_from_line_time(tmp_path):
    path = tmp_path / "archive.mbox"
    box = mailbox.mbox(str(path))
    message = mailbox.mboxMessage(build(subject="no mbox"))
    message.set_from("janis@example.lv", (2025, 3, 4, 5, 6, 7, 0, 1, 0))
    box.add(message)
    box.add(mailbox.mboxMessage(build(subject="otrs", sender="b@example.lv")))
    box.flush()
    box.close()
    run("import", str(path))
    first = InboundEmail.objects.order_by("id").first()
    assert first.received_at == datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
    assert Case.objects.count() == 2


def test_import_single_file_and_folder_of_files(tmp_path):
    (tmp_path / "a.eml").write_bytes(build(subject="a", sender="a@example.lv"))
    sub = tmp_path / "more"
    sub.mkdir()
    (sub / "b.eml").write_bytes(build(subject="b", sender="b@example.lv"))
    _maildir(sub / "md", [build(subject="c", sender="c@example.lv")])
    run("import", str(tmp_path / "a.eml"))
    assert Case.objects.count() == 1
    run("import", str(tmp_path))
    assert sorted(Case.objects.values_list("subject", flat=True)) == ["a", "b", "c"]


def test_import_of_missing_path_says_what_and_where(tmp_path):
    with pytest.raises(CommandError, match="nowhere: no such file or folder"):
        run("import", str(tmp_path / "nowhere"))


def test_quarantine_list_release_delete(tmp_path):
    (tmp_path / "a.eml").write_bytes(build(headers={"Auto-Submitted": "auto-generated"}))
    (tmp_path / "b.eml").write_bytes(build(sender="", subject="bez sūtītāja"))
    run("import", str(tmp_path))
    listing = run("quarantine", "list")
    auto, nosender = InboundEmail.objects.order_by("id")
    assert f"#{auto.pk}" in listing and "auto_unthreaded" in listing and "no_sender" in listing
    out = run("quarantine", "release", str(auto.pk))
    assert "released" in out and Case.objects.count() == 1
    with pytest.raises(CommandError, match="nav-adreses"):
        run("quarantine", "release", str(nosender.pk), "--sender", "nav-adreses")
    run("quarantine", "delete", str(nosender.pk))
    assert InboundEmail.objects.count() == 1
    with pytest.raises(CommandError, match="There is no received e-mail"):
        run("quarantine", "delete", "999999")
    status = run("status")
    assert f"{InboundState.PROCESSED}: 1" in status


def test_process_command_finishes_stored_rows(tmp_path):
    for i in range(5):
        (tmp_path / f"{i}.eml").write_bytes(build(subject=f"Nr. {i}", sender=f"c{i}@example.lv"))
    run("import", str(tmp_path), "--no-process")
    assert Case.objects.count() == 0
    run("process", "--limit", "3", "--batch", "2")
    assert Case.objects.count() == 3
    run("process")
    assert Case.objects.count() == 5


def test_fetch_without_mailbox_is_a_clear_error():
    with pytest.raises(CommandError, match="No IMAP mailbox is configured"):
        run("fetch")


def test_size_hint_counts_files_and_mbox_bytes_without_reading_mail(tmp_path):
    from charterdesk.channels.email.transports.files import holds_at_least

    folder = tmp_path / "Maildir" / "cur"
    folder.mkdir(parents=True)
    for n in range(5):
        (folder / f"{n}.eml").write_bytes(b"not read")
    assert holds_at_least(tmp_path / "Maildir", 5)
    assert not holds_at_least(tmp_path / "Maildir", 6)
    box = tmp_path / "big.mbox"
    box.write_bytes(b"From x\n" + b"a" * 2000)
    assert holds_at_least(box, 1000, mbox_bytes=2000)
    assert not holds_at_least(box, 1000, mbox_bytes=4000)
    assert not holds_at_least(tmp_path / "missing", 1)


def test_a_small_import_starts_no_process(tmp_path, monkeypatch):
    """600 messages (more than a storing chunk; before, more than 500 started the processing
    process and its parser): stored and processed in the command's own process, no second
    process and no parser pool — each costs a Django start-up, more than a small import takes."""
    from charterdesk.channels.email.intake import process as intake_process
    from charterdesk.channels.email.management.commands import email as email_command

    started: list[str] = []

    class NoFollower:
        def __init__(self, **kwargs: object) -> None:
            started.append("follower")
            raise AssertionError("a small import started the processing process")

    real_make_pool = intake_process.make_pool

    def recording_pool(workers: int):  # type: ignore[no-untyped-def]
        if workers > 0:
            started.append(f"parser pool of {workers}")
        return real_make_pool(workers)

    monkeypatch.setattr(email_command, "Follower", NoFollower)
    monkeypatch.setattr(intake_process, "make_pool", recording_pool)
    raws = [build(subject=f"Nr. {i}", sender=f"s{i % 50}@example.lv") for i in range(600)]
    out = run("import", str(_maildir(tmp_path / "Maildir", raws)))
    assert "Stored 600 new messages" in out
    assert started == []
    assert InboundEmail.objects.filter(state=InboundState.STORED).count() == 0
