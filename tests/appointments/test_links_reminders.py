"""The client's signed links (move, cancel, late) and the reminder the working day before."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.core import signing
from django.test import Client as HttpClient

from charterdesk.appointments import links, reminders
from charterdesk.appointments.models import Appointment, LinkUse
from charterdesk.cases.models import CaseEvent, Message
from tests.appointments.conftest import riga
from tests.appointments.test_booking import NOW, book


def path_of(url: str) -> str:
    return url.split("localhost:8000", 1)[1]


def test_the_late_link_works_once(world):
    a = book(world, riga(2026, 12, 7, 10))
    http = HttpClient()
    url = path_of(links.url(a, links.Purpose.LATE))
    with time_machine.travel(riga(2026, 12, 7, 9, 30), tick=False):
        page = http.get(url)
        assert page.status_code == 200
        assert "Paziņot par kavēšanos" in page.content.decode()
        done = http.post(url, {"minutes": "15"})
        assert done.status_code == 200
        assert "kavēsiet 15 min" in done.content.decode()
        a.refresh_from_db()
        assert a.late_minutes == 15 and a.late_notice_at == riga(2026, 12, 7, 9, 30)
        event = CaseEvent.objects.get(case=a.case, type="appointment.late_notice")
        assert event.params["minutes"] == 15 and event.params["in_advance"] is True
        # The second use: a clear page, nothing changed.
        again = http.post(url, {"minutes": "45"})
        assert again.status_code == 410
        assert "jau ir izmantota" in again.content.decode()
        a.refresh_from_db()
        assert a.late_minutes == 15
        assert CaseEvent.objects.filter(type="appointment.late_notice").count() == 1


def test_a_forged_or_tampered_link_changes_nothing(world):
    a = book(world, riga(2026, 12, 7, 10))
    http = HttpClient()
    token = links.make_token(a, links.Purpose.LATE)
    forged = signing.dumps(
        {"a": a.pk, "p": "cancel", "s": 0, "n": "x"}, salt="someone-else", compress=True
    )
    for bad in (token[:-2] + "xx", forged, "nonsense"):
        with time_machine.travel(riga(2026, 12, 7, 9), tick=False):
            response = http.post(f"/a/{bad}/")
        assert response.status_code == 400
        assert "nav derīga" in response.content.decode()
    a.refresh_from_db()
    assert a.status == "booked" and not LinkUse.objects.exists()


def test_a_purpose_cannot_be_changed(world):
    """A late link's signature does not cover "cancel": changing the payload breaks it."""
    a = book(world, riga(2026, 12, 7, 10))
    token = links.make_token(a, links.Purpose.LATE)
    payload = signing.loads(token, salt=links.SALT)
    payload["p"] = "cancel"
    _value, _sep, signature = token.rpartition(":")
    tampered = signing.dumps(payload, salt=links.SALT, compress=True).rpartition(":")[0]
    with pytest.raises(links.LinkRefused) as refused:
        links.read(f"{tampered}:{signature}", now=NOW)
    assert refused.value.problem is links.LinkProblem.FORGED


def test_an_expired_link(world):
    a = book(world, riga(2026, 12, 7, 10))
    http = HttpClient()
    cancel = path_of(links.url(a, links.Purpose.CANCEL))
    with time_machine.travel(riga(2026, 12, 7, 10, 1), tick=False):  # the consultation's time came
        response = http.post(cancel)
    assert response.status_code == 410
    assert "derīguma termiņš ir beidzies" in response.content.decode()
    a.refresh_from_db()
    assert a.status == "booked"


def test_cancel_link_and_an_outdated_link_after_a_move(world):
    a = book(world, riga(2026, 12, 7, 10))
    http = HttpClient()
    move = path_of(links.url(a, links.Purpose.MOVE))
    cancel = path_of(links.url(a, links.Purpose.CANCEL))
    with time_machine.travel(riga(2026, 12, 2, 9), tick=False):
        page = http.get(move)
        assert page.status_code == 200
        body = page.content.decode()
        assert 'type="radio"' in body  # the next free times, as radio buttons (no JavaScript)
        import re

        values = re.findall(r'name="slot" value="([^"]+)"', body)
        assert values
        done = http.post(move, {"slot": values[1]})
        assert done.status_code == 200, done.content.decode()
        a.refresh_from_db()
        assert a.sequence == 1
        # The cancel link of the first mail is for the old version now.
        stale = http.post(cancel)
        assert stale.status_code == 410
        assert "izmantojiet saiti jaunākajā e-pastā" in stale.content.decode()
        a.refresh_from_db()
        assert a.status == "booked"
        fresh = path_of(links.url(a, links.Purpose.CANCEL))
        assert http.post(fresh).status_code == 200
    a.refresh_from_db()
    assert a.status == "cancelled"
    assert (
        CaseEvent.objects.filter(case=a.case, type="appointment.cancelled").get().params["via"]
        == "link"
    )


def test_links_in_english_pages(world):
    world.ilze.language = "en"
    world.ilze.save()
    a = book(world, riga(2026, 12, 7, 10), language="en")
    url = links.url(a, links.Purpose.LATE, "en")
    assert "/en/a/" in url
    with time_machine.travel(riga(2026, 12, 7, 9), tick=False):
        page = HttpClient().get(path_of(url))
    assert "Tell us you will be late" in page.content.decode()


# --- reminders ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("starts", "expected_day"),
    [
        (riga(2026, 12, 9, 10), date(2026, 12, 8)),  # Wednesday → Tuesday
        (riga(2026, 12, 7, 10), date(2026, 12, 4)),  # Monday → Friday
        (riga(2026, 11, 19, 10, 0), date(2026, 11, 17)),  # after the 18.11 holiday → its eve
    ],
)
def test_the_reminder_is_due_the_working_day_before(world, starts, expected_day):
    if starts.weekday() == 3:
        from tests.appointments.conftest import plan

        plan(world.anna, world.riga_office, 3, "09:00", "13:00")
        a = book(world, starts, now=riga(2026, 11, 2, 12))
    else:
        a = book(world, starts, now=riga(2026, 11, 30, 12))
    assert a.reminder_due_at == riga(expected_day.year, expected_day.month, expected_day.day, 8, 30)


def test_no_reminder_when_the_day_before_has_passed(world):
    a = book(world, riga(2026, 12, 7, 10), now=riga(2026, 12, 4, 9))  # Friday 09:00 > 08:30
    assert a.reminder_due_at is None


def test_the_reminder_is_sent_once_with_the_links(world):
    a = book(world, riga(2026, 12, 9, 10))
    assert not reminders.appointment_remind(appointment_id=a.pk, now=riga(2026, 12, 8, 8))
    assert reminders.reminders_send_due(now=riga(2026, 12, 8, 8, 31)) == 1
    assert reminders.reminders_send_due(now=riga(2026, 12, 8, 9)) == 0
    assert not reminders.appointment_remind(appointment_id=a.pk, now=riga(2026, 12, 8, 9))
    [mail] = Message.objects.filter(case=a.case, kind="reminder")
    assert mail.subject.startswith("Atgādinājums: jūsu konsultācija trešdien")
    assert "/a/" in mail.body and "Kā iekļūt" in mail.body
    a.refresh_from_db()
    assert a.reminder_sent_at == riga(2026, 12, 8, 8, 31)


def test_a_moved_appointment_gets_a_new_reminder(world):
    from charterdesk.appointments.services import appointment_move

    a = book(world, riga(2026, 12, 9, 10))
    reminders.reminders_send_due(now=riga(2026, 12, 8, 8, 31))
    moved = appointment_move(
        appointment=a, starts_at=riga(2026, 12, 14, 10), via="desk", now=riga(2026, 12, 8, 9)
    )
    assert moved.reminder_sent_at is None
    assert moved.reminder_due_at == riga(2026, 12, 11, 8, 30)


def test_the_reminder_task_is_enqueued_for_its_moment(world, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        a = book(world, riga(2026, 12, 9, 10))
    task = DBTaskResult.objects.filter(task_path__endswith="appointment_remind").get()
    assert task.run_after == riga(2026, 12, 8, 8, 30)
    assert task.args_kwargs["args"] == [a.pk]
    assert Appointment.objects.get(pk=a.pk).reminder_due_at == task.run_after
    assert timedelta(0) < task.run_after - NOW


def test_the_remind_command(world):
    from io import StringIO

    from django.core.management import call_command

    book(world, riga(2026, 12, 9, 10))
    out = StringIO()
    with time_machine.travel(riga(2026, 12, 8, 9), tick=False):
        call_command("appointments", "remind", stdout=out)
        call_command("appointments", "remind", stdout=out)
    assert "reminders: 1 sent" in out.getvalue() and "reminders: 0 sent" in out.getvalue()
