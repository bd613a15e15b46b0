"""Demo data: clearly marked (e-mail addresses under the reserved ``.example`` domains, every demo
client's notes say DEMO), made through the real services so timers, events and search see it
exactly as they would see real work.

A day like a real one: more cases than one inbox page, a few with files, reply templates per
programme, one mail in quarantine, and every e-mail's acknowledgement [EMAIL-ACK] sent at the
moment the engine would have sent it (the timer's owed moment), through the outbox's service —
not a week late at start-up."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils import timezone

from charterdesk.assembly.demo_consultations import consultations, plans
from charterdesk.assembly.demo_data import (
    ATTACHMENTS,
    CASE_COUNT,
    CLIENTS,
    QUARANTINED,
    REPLY_TEMPLATES,
    REQUESTS_EN,
    REQUESTS_LV,
    STAFF,
)
from charterdesk.assembly.demo_phone import load_phone_demo
from charterdesk.cases import services as cs
from charterdesk.cases.models import Case, Message
from charterdesk.channels.email.intake.process import process_pending
from charterdesk.channels.email.intake.store import RawMail, store_raw
from charterdesk.clients.models import Client
from charterdesk.clients.services import client_create
from charterdesk.directory.models import Employee, ExternalInstitution, Office, Programme, Team
from charterdesk.outbox.models import MessageTemplate, TemplateKind
from charterdesk.outbox.services import ack_send
from charterdesk.security.principal import Role, roles_of
from charterdesk.sla.models import Timer, TimerStatus
from charterdesk.sla.selectors import expected_answer_by

# The published demo password (the demo refuses to run in production mode).
DEMO_PASSWORD = "demo-altum-2026"  # nosec B105
DEMO_DOMAIN = "altum.example"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    who: str


def _employee(
    username: str,
    first: str,
    surname: str,
    pos_lv: str,
    pos_en: str,
    team: Team | None,
    programmes: list[str],
    office: str,
    languages: str,
) -> Employee:
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": first, "last_name": surname}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    ascii_name = (
        (first + "." + surname).lower().translate(str.maketrans("āčēģīķļņšūž", "acegiklnsuz"))
    )
    employee, _ = Employee.objects.get_or_create(
        user=user,
        defaults=dict(
            first_name=first,
            surname=surname,
            position_lv=pos_lv,
            position_en=pos_en,
            phone="+37167774010",
            email=f"{ascii_name}@{DEMO_DOMAIN}",
            team=team,
            languages=languages,
        ),
    )
    employee.competences.set(Programme.objects.filter(code__in=programmes))
    employee.offices.set(Office.objects.filter(code=office))
    return employee


def _reply_templates(programmes: list[Programme]) -> None:
    """A reply template per programme and language (the desk offers those of the case's)."""
    for programme in programmes:
        for language, body in REPLY_TEMPLATES.items():
            MessageTemplate.objects.get_or_create(
                name=f"atbilde-{programme.code}",
                language=language,
                programme=programme,
                defaults={"kind": TemplateKind.REPLY, "subject": "", "body": body},
            )


def _quarantine_one() -> None:
    """One mail the intake holds back (a program file attached): the quarantine is not empty."""
    store_raw([RawMail(raw=QUARANTINED, source="import", source_ref="demo")])
    process_pending()


def _acknowledge_on_time(case: Case, message: Message, now: datetime) -> datetime | None:
    """Send the acknowledgement of ``message`` at the moment the engine would have (the EMAIL-ACK
    timer's owed moment), through the outbox's service; None while that moment is still ahead
    (the running worker sends it then)."""
    timer = (
        Timer.objects.filter(
            case=case, message=message, commitment_id="EMAIL-ACK", status=TimerStatus.OPEN
        )
        .order_by("pk")
        .first()
    )
    if timer is None or timer.owed_at is None or timer.owed_at > now - timedelta(minutes=5):
        return None
    sent = ack_send(
        message=message,
        case=case,
        expected_answer_by=expected_answer_by(case, message),
        at=timer.owed_at,
    )
    return sent.created_at if sent is not None else None


def _role(employee: Employee) -> str:
    roles = roles_of(employee)
    if Role.QUALITY_MANAGER in roles:
        return "quality manager, auditor of the read log"
    if Role.TEAM_LEAD in roles:
        return f"team lead ({', '.join(t.name_en for t in employee.leads.all())})"
    return f"employee ({employee.team.name_en if employee.team else 'no team'})"


@transaction.atomic
def load_demo(*, seed: int = 2026, now: datetime | None = None) -> list[DemoLogin]:
    """Create demo staff, clients and cases (``CASE_COUNT``, from every channel) once."""
    # Repeatable demo data, no secret.
    rng = random.Random(seed)  # nosec B311
    now = now or timezone.now()
    User = get_user_model()
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser("admin", f"admin@{DEMO_DOMAIN}", DEMO_PASSWORD)
    teams = {
        key: Team.objects.get_or_create(name_lv=lv, defaults={"name_en": en})[0]
        for key, lv, en in [
            ("front", "Klientu apkalpošana", "Client service"),
            ("regions", "Reģionālie biroji", "Regional offices"),
            ("programmes", "Programmu vadība", "Programme management"),
        ]
    }
    staff = {
        row[0]: _employee(
            row[0], row[1], row[2], row[3], row[4], teams[row[5]], row[6], row[7], row[8]
        )
        for row in STAFF
    }
    teams["front"].lead = staff["laura"]
    teams["front"].save()
    teams["regions"].lead = staff["ilze"]
    teams["regions"].save()
    teams["programmes"].lead = staff["peteris"]
    teams["programmes"].save()
    # [CONFIDENTIALITY] a quality manager (reads every case that is not confidential, changes
    # none) who is also the auditor of the read log (admin: read log, view only).
    dace = _employee(
        "dace",
        "Dace",
        "Vītola",
        "Kvalitātes vadītāja",
        "Quality manager",
        None,
        [],
        "riga",
        "lv,en",
    )
    if not dace.quality_manager:
        dace.quality_manager = True
        dace.save(update_fields=["quality_manager"])
        dace.user.is_staff = True
        dace.user.save(update_fields=["is_staff"])
        dace.user.user_permissions.add(
            Permission.objects.get(content_type__app_label="security", codename="view_readlogentry")
        )
    staff["dace"] = dace
    logins = [DemoLogin("admin", DEMO_PASSWORD, "administrator (configures; reads no case)")] + [
        DemoLogin(e.user.username, DEMO_PASSWORD, f"{e.full_name}, {e.position_en} — {_role(e)}")
        for e in staff.values()
    ]
    plans(staff)
    if Case.objects.exists():
        load_phone_demo(staff, now)  # a demo database loaded before the demo had calls
        return logins

    clients = []
    for name, kind, email, phone, language, needs in CLIENTS:
        clients.append(
            Client.objects.filter(name=name).first()
            or client_create(
                name=name,
                kind=kind,
                email=email,
                phone=phone,
                language=language,
                special_needs=needs,
            )
        )
    programmes = {p.code: p for p in Programme.objects.all()}
    _reply_templates(list(programmes.values()))
    offices = list(Office.objects.all())
    externals = list(ExternalInstitution.objects.all())
    employees = [e for e in staff.values() if not e.quality_manager]  # QM changes none

    def past(moment: datetime) -> datetime:
        return min(moment, now - timedelta(minutes=5))

    channels = ["email"] * 5 + ["phone"] * 2 + ["in_person", "post", "portal"]

    for i in range(CASE_COUNT):
        client = clients[i % len(clients)]
        english = client.language == "en"
        subject, prog_code, body = rng.choice(REQUESTS_EN if english else REQUESTS_LV)
        channel = channels[i % len(channels)]
        if channel == "email" and not client.email:
            channel = "phone"
        if channel == "phone" and not client.phone:
            channel = "email"
        # Spread arrivals over the last ten days, some of them outside working hours.
        opened = now - timedelta(hours=rng.randint(1, 240), minutes=rng.randint(0, 59))
        programme = programmes.get(prog_code) if prog_code else None
        case = cs.case_open(
            client=client,
            channel=channel,
            subject=subject,
            programme=programme,
            office=rng.choice(offices) if channel == "in_person" else None,
            at=opened,
        )
        kind = {"post": "letter", "phone": "call"}.get(channel, "request")
        files = [ATTACHMENTS[(i // 7) % len(ATTACHMENTS)]] if i % 7 == 3 else []
        message = cs.case_add_message(
            case=case,
            direction="in",
            kind=kind,
            body=body,
            sender=client.email or client.phone,
            at=opened,
            attachments=files if channel in ("email", "post", "portal") else [],
        )
        acked = _acknowledge_on_time(case, message, now) if channel == "email" else None

        def after(moment: datetime, acked: datetime | None = acked) -> datetime:
            """An employee's step: not before the acknowledgement went out, never in the future."""
            return past(max(moment, acked + timedelta(minutes=10)) if acked else moment)

        competent = [
            e
            for e in employees
            if programme is None or e.competences.filter(pk=programme.pk).exists()
        ]
        fate = i % 10
        if fate == 0:
            continue  # new and unassigned
        worker = rng.choice(competent or employees)
        cs.case_assign(case=case, to=worker, by=staff["laura"])
        if fate == 1 and prog_code is None and externals:
            inst = rng.choice(externals)
            cs.case_refer(
                case=case,
                institution=inst,
                by=worker,
                message_to_client=(
                    f"Šis jautājums nav ALTUM kompetencē. Lūdzu, vērsieties: {inst.name_lv}, {inst.website}."
                    if not english
                    else f"This is outside ALTUM's competence. Please contact {inst.name_en}, {inst.website}."
                ),
            )
        elif fate == 2:
            cs.case_decline(
                case=case,
                by=worker,
                reasons=(
                    "Uzņēmums neatbilst programmas nosacījumiem: darbības ilgums pārsniedz 5 gadus."
                    if not english
                    else "The company does not meet the programme's conditions: it has operated for more than 5 years."
                ),
            )
        elif fate == 3:
            others = [e for e in employees if e != worker]
            cs.case_transfer(
                case=case,
                to=rng.choice(others),
                by=worker,
                note="Lūdzu pārņemt — jautājums par tavu programmu.",
            )
        elif fate == 4:
            due = now + timedelta(days=2, hours=1)
            cs.case_promise(
                case=case,
                by=worker,
                due=due,
                message=(
                    f"Atbildi sagatavosim līdz {timezone.localtime(due):%d.%m.%Y}."
                    if not english
                    else f"We will prepare the answer by {timezone.localtime(due):%-d %b %Y}."
                ),
                at=after(opened + timedelta(hours=1)),
            )
        elif fate == 5:
            cs.case_reply(
                case=case,
                by=worker,
                body=(
                    "Paldies par jautājumu! Pieteikumu var iesniegt portālā mans.altum.lv."
                    if not english
                    else "Thank you for your question! You can apply in the client portal mans.altum.lv."
                ),
                at=after(opened + timedelta(hours=rng.randint(1, 30))),
            )
            cs.case_resolve(case=case, by=worker)
        elif fate == 6:
            cs.case_add_note(
                case=case, by=worker, body="Jāpārbauda pieteikuma dokumenti pirms atbildes."
            )
        elif fate == 8:
            # [CONFIDENTIALITY] seen only by the worker's team and those named on it.
            cs.case_set_confidential(case=case, by=worker, confidential=True)
        elif fate == 7:
            cs.case_reply(
                case=case,
                by=worker,
                body=(
                    "Nosūtām informāciju par nosacījumiem."
                    if not english
                    else "Here is the information on the conditions."
                ),
                at=after(opened + timedelta(hours=2)),
            )
            cs.case_resolve(case=case, by=worker)
            cs.case_close(case=case, by=worker)
    consultations(staff, clients, programmes, now)
    load_phone_demo(staff, now)
    _quarantine_one()
    return logins
