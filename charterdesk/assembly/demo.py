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

from charterdesk.appointments.errors import AppointmentError
from charterdesk.appointments.models import Appointment, ConsultantPlan
from charterdesk.appointments.selectors import free_slots
from charterdesk.appointments.services import (
    appointment_book,
    appointment_step,
    appointment_walk_in,
)
from charterdesk.cases import services as cs
from charterdesk.cases.models import Case, Message
from charterdesk.cases.services import AttachmentData
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


STAFF = [
    # username, first, surname, position lv, position en, team, programmes, office, languages
    (
        "anna",
        "Anna",
        "Bērziņa",
        "Klientu konsultante",
        "Client consultant",
        "front",
        ["housing-guarantee", "energy-efficiency"],
        "riga",
        "lv,en",
    ),
    (
        "janis",
        "Jānis",
        "Kalniņš",
        "Klientu konsultants",
        "Client consultant",
        "front",
        ["start-up", "microloans"],
        "riga",
        "lv,en,ru",
    ),
    (
        "ilze",
        "Ilze",
        "Ozola",
        "Reģionālā konsultante",
        "Regional consultant",
        "regions",
        ["farmers", "microloans"],
        "cesis",
        "lv",
    ),
    (
        "peteris",
        "Pēteris",
        "Liepiņš",
        "Programmas vadītājs",
        "Programme manager",
        "programmes",
        ["export-guarantee", "venture"],
        "riga",
        "lv,en",
    ),
    (
        "laura",
        "Laura",
        "Zariņa",
        "Klientu apkalpošanas vadītāja",
        "Head of client service",
        "front",
        [
            "housing-guarantee",
            "start-up",
            "microloans",
            "farmers",
            "export-guarantee",
            "energy-efficiency",
            "venture",
        ],
        "riga",
        "lv,en",
    ),
]

# The consultants' weekly plans (username, office, weekdays, from, until): a consultant may serve
# two offices on different days (Ilze: Cēsis, and Valmiera on Fridays).
PLANS = [
    ("anna", "riga", range(5), "09:00", "12:00"),
    ("anna", "riga", range(5), "13:00", "16:30"),
    ("janis", "riga", range(4), "10:00", "16:00"),
    ("janis", "jelgava", [4], "09:00", "15:00"),
    ("ilze", "cesis", range(4), "09:00", "16:00"),
    ("ilze", "valmiera", [4], "09:00", "14:00"),
    ("laura", "riga", [1, 3], "09:00", "13:00"),
    ("peteris", "riga", [2], "10:00", "15:00"),
]

CLIENTS = [
    ("Jānis Ozols", "person", "janis.ozols@example.lv", "+37129123456", "lv", ""),
    (
        "Līga Kļaviņa",
        "person",
        "liga.klavina@example.lv",
        "",
        "lv",
        "Kustību traucējumi: vajadzīga pieeja bez kāpnēm.",
    ),
    ("SIA Dārzi un Ko", "company", "info@darzi.example.lv", "+37167001122", "lv", ""),
    ("Māris Strautiņš", "person", "", "+37126543210", "lv", ""),
    ("Emily Carter", "person", "emily.carter@example.com", "", "en", ""),
    ("Baltic Timber Ltd", "company", "office@baltictimber.example.com", "+37167223344", "en", ""),
    ('Zemnieku saimniecība "Ābeles"', "company", "abeles@example.lv", "+37128877665", "lv", ""),
    (
        "Olga Petrova",
        "person",
        "olga.petrova@example.lv",
        "+37122334455",
        "lv",
        "Vājredzība: lūdz lielu drukas burtu.",
    ),
    ("SIA Tehno Start", "company", "hello@tehnostart.example.lv", "", "lv", ""),
    ("Kārlis Eglītis", "person", "karlis.eglitis@example.lv", "", "lv", ""),
    ("Nordic Export AS", "company", "trade@nordicexport.example.com", "+4722334455", "en", ""),
    (
        'Dzīvokļu īpašnieku biedrība "Saules 12"',
        "company",
        "saules12@example.lv",
        "+37167445566",
        "lv",
        "",
    ),
    ("Inese Vītola", "person", "inese.vitola@example.lv", "+37129988776", "lv", ""),
    ("Tomas Novak", "person", "tomas.novak@example.com", "", "en", ""),
    ("SIA Ražotne", "company", "razotne@example.lv", "+37167990011", "lv", ""),
    (
        "Aija Kalna",
        "person",
        "aija.kalna@example.lv",
        "",
        "lv",
        "Nedzirdīga: saziņa tikai rakstiski.",
    ),
]

REQUESTS_LV = [
    (
        "Mājokļa garantija ģimenei ar diviem bērniem",
        "housing-guarantee",
        "Labdien! Mums ir divi bērni, un vēlamies pirkt dzīvokli Rīgā. Vai varam saņemt ALTUM garantiju pirmajai iemaksai? Kādi dokumenti vajadzīgi?",
    ),
    (
        "Starta aizdevums jaunam uzņēmumam",
        "start-up",
        "Sveiki! Esam reģistrējuši SIA pirms četriem mēnešiem. Vai varam pieteikties starta programmai, un kāda ir maksimālā summa?",
    ),
    (
        "Mikrokredīta pieteikums",
        "microloans",
        "Labdien, vēlos uzzināt, vai mikrokredītu var izmantot aprīkojuma iegādei un cik ilgi tiek izskatīts pieteikums.",
    ),
    (
        "Aizdevums zemes iegādei",
        "farmers",
        "Mūsu saimniecība vēlas iegādāties 20 ha lauksaimniecības zemes. Kādi ir aizdevuma nosacījumi un procentu likme?",
    ),
    (
        "Daudzdzīvokļu mājas renovācija",
        "energy-efficiency",
        "Biedrības vārdā jautājam, kā pieteikties mājas siltināšanas programmai un vai nepieciešams energoaudits.",
    ),
    (
        "Jautājums par nodokļu atvieglojumiem",
        None,
        "Vai ALTUM var paskaidrot, kā piemērot uzņēmumu ienākuma nodokļa atvieglojumu par investīcijām?",
    ),
    (
        "Pieteikuma statuss",
        "housing-guarantee",
        "Iesniedzu pieteikumu portālā pirms nedēļas. Kad varu sagaidīt lēmumu?",
    ),
    (
        "Garantijas līguma kopija",
        "housing-guarantee",
        "Lūdzu atsūtīt garantijas līguma kopiju, jo oriģināls ir nozaudēts.",
    ),
]
REQUESTS_EN = [
    (
        "Export credit guarantee for a shipment to Norway",
        "export-guarantee",
        "Hello, we are exporting timber to Norway and would like to insure the buyer's credit risk. How do we apply?",
    ),
    (
        "Venture capital for a software start-up",
        "venture",
        "Dear ALTUM, which venture capital funds supported by ALTUM invest in seed-stage software companies?",
    ),
    (
        "Question about an EU grant",
        None,
        "Hi, can ALTUM give us an EU grant for research? We could not find it on your website.",
    ),
    (
        "Loan application follow-up",
        "start-up",
        "Good afternoon, I sent my documents last Friday and have not heard back. Could you confirm you received them?",
    ),
]


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


#: How many demo cases: more than one inbox page (the desk shows 50 at a time).
CASE_COUNT = 120

# The smallest valid files: a one-page PDF and a 1×1 PNG (what a client attaches).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360f8cfc0f01f0005000201a5d3b0f20000000049454e44ae426082"
)
ATTACHMENTS = [
    AttachmentData(filename="pieteikums.pdf", content_type="application/pdf", content=PDF),
    AttachmentData(filename="ligums-skenets.png", content_type="image/png", content=PNG),
    AttachmentData(filename="application.pdf", content_type="application/pdf", content=PDF),
]

REPLY_TEMPLATES = {
    "lv": (
        "{{ client_vocative }}!\n\nPaldies par jautājumu par programmu „{{ programme_name }}”. "
        "Programmas nosacījumi un pieteikuma veidlapa ir pieejami altum.lv; pieteikumu var "
        "iesniegt portālā mans.altum.lv.\n\n"
    ),
    "en": (
        "Dear {{ client_name }},\n\nThank you for your question about the programme "
        "“{{ programme_name }}”. Its conditions and the application form are on altum.lv; you can "
        "apply in the client portal mans.altum.lv.\n\n"
    ),
}

QUARANTINED = (
    "From: Nezināms sūtītājs <rekini@invoice.example.net>\r\n"
    "To: altum@altum.lv\r\n"
    "Subject: =?utf-8?q?R=C4=93=C4=B7ins_apmaksai?=\r\n"
    "Message-ID: <demo-quarantine-1@invoice.example.net>\r\n"
    "Date: Mon, 30 Nov 2026 09:12:00 +0200\r\n"
    "MIME-Version: 1.0\r\n"
    'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
    "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    "Labdien, pielikumā rēķins apmaksai.\r\n"
    "--b1\r\nContent-Type: application/octet-stream\r\n"
    'Content-Disposition: attachment; filename="rekins.exe"\r\n'
    "Content-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAA=\r\n"
    "--b1--\r\n"
).encode()


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
    _plans(staff)
    if Case.objects.exists():
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
    _consultations(staff, clients, programmes, now)
    _quarantine_one()
    return logins


def _plans(staff: dict[str, Employee]) -> None:
    """The consultants' weekly plans, so the booking page offers times (once)."""
    offices = {o.code: o for o in Office.objects.all()}
    for username, office, weekdays, starts, ends in PLANS:
        if office not in offices:
            continue
        for weekday in weekdays:
            ConsultantPlan.objects.get_or_create(
                employee=staff[username],
                office=offices[office],
                weekday=weekday,
                starts=starts,
                ends=ends,
            )


def _consultations(
    staff: dict[str, Employee],
    clients: list[Client],
    programmes: dict[str, Programme],
    now: datetime,
) -> None:
    """A few consultations at the Riga office, through the booking service: the next free times
    (today if any are left, else the next working day) and two on the working day after, and two
    walk-ins today (one already started, its identity document checked where the programme
    needs one), so the day view has content."""
    riga = Office.objects.filter(code="riga").first()
    housing = programmes.get("housing-guarantee")
    start_up = programmes.get("start-up")
    if riga is None or housing is None or start_up is None:
        return

    def book(
        programme: Programme,
        topic: str,
        client: Client,
        by: Employee,
        after: datetime | None = None,
    ) -> Appointment | None:
        slots = free_slots(programme, offices=[riga], now=now, after=after, limit=1)
        if not slots:
            return None
        try:
            return appointment_book(
                programme=programme,
                office=riga,
                consultant=Employee.objects.get(pk=slots[0].consultant_id),
                starts_at=slots[0].starts_at,
                via="desk",
                topic=topic,
                by=by,
                client=client,
                special_needs=client.special_needs,
                contact_phone=client.phone,
                contact_email=client.email,
                now=now,
            )
        except AppointmentError:
            return None

    booked = [
        a
        for a in (
            book(housing, "Mājokļa garantija jaunajai ģimenei", clients[0], staff["laura"]),
            book(start_up, "Starta aizdevums: dokumenti", clients[2], staff["laura"]),
            book(housing, "Garantijas apmērs un nosacījumi", clients[1], staff["laura"]),
        )
        if a is not None
    ]
    if booked:
        # Two more on the working day after the first booking's.
        day_after = timezone.localtime(booked[0].starts_at).date() + timedelta(days=1)
        after = timezone.make_aware(datetime.combine(day_after, datetime.min.time()))
        for client in clients[3:5]:
            book(housing, "Konsultācija par mājokļa garantiju", client, staff["anna"], after)
    first = appointment_walk_in(
        office=riga,
        programme=start_up,
        topic="Jautājums par mikroaizdevumu",
        by=staff["janis"],
        client=clients[0],
        contact_phone=clients[0].phone,
        contact_email=clients[0].email,
        now=now - timedelta(minutes=20),
    )
    if first.needs_identity_document:  # [CLIENT-ID] checked before the consultation starts
        appointment_step(appointment=first, step="identity_checked", by=staff["janis"], now=now)
    appointment_step(appointment=first, step="started", by=staff["janis"], now=now)
    appointment_walk_in(
        office=riga,
        programme=housing,
        topic="Mājokļa garantijas pieteikums",
        by=staff["anna"],
        client=clients[1],
        special_needs=clients[1].special_needs,
        contact_phone=clients[1].phone,
        contact_email=clients[1].email,
        now=now,
    )
