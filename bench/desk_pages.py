"""Server time of the desk's inbox and case page at 100,000 and 1,000,000 cases on PostgreSQL.

Run (PostgreSQL on 127.0.0.1:5432, trust auth; takes a few minutes per size on 2 cores)::

    .venv/bin/python bench/desk_pages.py                      # 100k then 1M cases
    .venv/bin/python bench/desk_pages.py --cases 100000       # one size
    .venv/bin/python bench/desk_pages.py --reuse              # keep data of the same size

What it does, per size:

1. (Re)creates the database ``cd_bench_desk`` (``--db``), migrates it, and generates in SQL
   (``generate_series``): 50 employees in 5 teams, 10 programmes, 5 offices, N/3 clients with
   Latvian names, N cases over two years (90 % closed, 3 % resolved, 7 % active: new, open or
   waiting, with a next deadline spread from two days overdue to five days ahead, some without),
   1.5 messages per case, two events per case, a running SLA timer per active case, and the
   search document of every case (folded words and ``to_tsvector('simple', …)``, GIN index).
2. Times, in-process with Django's test client (middleware, ORM, templates: the server's time,
   not the network's), with ``DEBUG`` off: the inbox of one employee (mine, the team's, a
   programme's, unassigned, all active, with filters, "only breached", full-text searches of a
   client's surname and of subject words, and ten later pages through the keyset cursor) and the
   case page of random cases.  Prints p50 / p95 / max per scenario and per page kind.

The figures are written to docs/desk.md by hand, with the date and the machine.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SERVER = "postgres://postgres@127.0.0.1:5432"

FIRST = [
    "Anna",
    "Jānis",
    "Līga",
    "Pēteris",
    "Ilze",
    "Māris",
    "Inese",
    "Kārlis",
    "Dace",
    "Edgars",
    "Ieva",
    "Andris",
    "Zane",
    "Gints",
    "Rūta",
    "Oskars",
    "Baiba",
    "Artūrs",
    "Laura",
    "Uldis",
]
SURNAMES = [
    "Bērziņa",
    "Kalniņš",
    "Ozola",
    "Liepiņš",
    "Zariņa",
    "Krūmiņš",
    "Vītola",
    "Eglītis",
    "Strautiņa",
    "Kļaviņš",
    "Jansone",
    "Ozoliņš",
    "Pētersone",
    "Balodis",
    "Kalna",
    "Siliņš",
    "Lāce",
    "Vanags",
    "Zvaigzne",
    "Āboliņš",
    "Šmits",
    "Ķeniņa",
    "Grīnbergs",
    "Žagare",
    "Priede",
    "Dūmiņš",
    "Celmiņa",
    "Lapsa",
    "Mežs",
    "Roze",
]
SUBJECTS = [
    "Mājokļa garantija ģimenei",
    "Starta aizdevums jaunam uzņēmumam",
    "Mikrokredīta pieteikums",
    "Aizdevums zemes iegādei",
    "Daudzdzīvokļu mājas renovācija",
    "Eksporta kredīta garantija",
    "Pieteikuma statuss",
    "Garantijas līguma kopija",
    "Apgrozāmo līdzekļu aizdevums",
    "Riska kapitāla fonds",
    "Jautājums par procentu likmi",
    "Dokumentu iesniegšana portālā",
]
BODIES = [
    "Labdien! Vēlamies pirkt dzīvokli Rīgā un saņemt garantiju pirmajai iemaksai. Kādi dokumenti vajadzīgi?",
    "Sveiki! Esam reģistrējuši SIA pirms četriem mēnešiem. Vai varam pieteikties, un kāda ir summa?",
    "Labdien, vai mikrokredītu var izmantot aprīkojuma iegādei un cik ilgi izskata pieteikumu?",
    "Mūsu saimniecība vēlas iegādāties lauksaimniecības zemi. Kādi ir aizdevuma nosacījumi?",
    "Biedrības vārdā jautājam, kā pieteikties mājas siltināšanas programmai un vai vajag energoauditu.",
    "Iesniedzu pieteikumu portālā pirms nedēļas. Kad varu sagaidīt lēmumu par garantiju?",
]
REPLIES = [
    "Labdien! Paldies par jautājumu. Pielikumā nosacījumi un dokumentu saraksts.",
    "Labdien! Jūsu pieteikums ir saņemts un tiek izskatīts; atbildi sniegsim nākamnedēļ.",
    "Labdien! Lūdzu, iesniedziet pieteikumu klientu portālā; konsultants sazināsies ar Jums.",
]


def sql_array(items: list[str]) -> str:
    return "ARRAY[" + ",".join("'" + s.replace("'", "''") + "'" for s in items) + "]"


def fold_sql(expr: str) -> str:
    """The SQL twin of charterdesk.search.text.fold for the generated texts (Latvian letters)."""
    return (
        f"trim(regexp_replace(translate(lower({expr}), 'āčēģīķļņšūž', 'acegiklnsuz'), "
        "'[^0-9a-z_]+', ' ', 'g'))"
    )


def recreate_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def case_count(name: str) -> int:
    import psycopg

    try:
        with psycopg.connect(f"{SERVER}/{name}") as conn:
            row = conn.execute("SELECT count(*) FROM cases_case").fetchone()
            return int(row[0]) if row else 0
    except psycopg.Error:
        return -1


def generate(n: int) -> None:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from charterdesk.directory.models import (
        Employee,
        ExternalInstitution,
        Institution,
        Office,
        Programme,
        Team,
    )

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    Institution.objects.create(
        name_lv="Attīstības finanšu institūcija Altum",
        name_en="Development Finance Institution Altum",
        short_name="ALTUM",
        general_phone="+37167774010",
        general_email="altum@altum.lv",
        postal_address="Doma laukums 4, Rīga, LV-1050",
    )
    programmes = [
        Programme.objects.create(
            code=f"p{i}",
            name_lv=f"Programma {i}",
            name_en=f"Programme {i}",
            category="loan",
            apply_via="portal",
        )
        for i in range(10)
    ]
    offices = [
        Office.objects.create(
            code=f"o{i}", name_lv=f"Birojs {i}", name_en=f"Office {i}", address="Rīga"
        )
        for i in range(5)
    ]
    teams = [Team.objects.create(name_lv=f"Komanda {i}", name_en=f"Team {i}") for i in range(5)]
    User = get_user_model()
    for i in range(50):
        user = User.objects.create_user(username=f"bench{i}", password="bench-pass-123")
        emp = Employee.objects.create(
            user=user,
            first_name=FIRST[i % len(FIRST)],
            surname=SURNAMES[i % len(SURNAMES)],
            position_lv="Konsultants",
            position_en="Consultant",
            phone="+37167774000",
            email=f"bench{i}@altum.lv",
            team=teams[i % 5],
        )
        emp.competences.set([programmes[i % 10], programmes[(i + 3) % 10]])
    ExternalInstitution.objects.create(
        name_lv="Valsts ieņēmumu dienests",
        name_en="State Revenue Service",
        phone="+37167120000",
        email="vid@vid.gov.lv",
    )
    emp_ids = list(Employee.objects.order_by("pk").values_list("pk", "team_id"))
    prog_ids = [p.pk for p in programmes]
    office_ids = [o.pk for o in offices]
    clients = max(1, n // 3)
    first, surnames = sql_array(FIRST), sql_array(SURNAMES)
    subjects, bodies, replies = sql_array(SUBJECTS), sql_array(BODIES), sql_array(REPLIES)
    emp_arr = "ARRAY[" + ",".join(str(e) for e, _t in emp_ids) + "]"
    team_arr = "ARRAY[" + ",".join(str(t) for _e, t in emp_ids) + "]"
    prog_arr = "ARRAY[" + ",".join(map(str, prog_ids)) + "]"
    office_arr = "ARRAY[" + ",".join(map(str, office_ids)) + "]"
    steps = [
        (
            "clients",
            f"""
        INSERT INTO clients_client (id, kind, name, registration_number, email, phone, postal_address,
            language, preferred_channel, special_needs, surveys_declined, created_at)
        SELECT i, 'person', ({first})[1 + i % 20] || ' ' || ({surnames})[1 + (i / 20) % 30],
            '', 'client' || i || '@example.lv', '+3712' || lpad((i % 10000000)::text, 7, '0'), '',
            CASE WHEN i % 10 = 0 THEN 'en' ELSE 'lv' END, 'email',
            CASE WHEN i % 50 = 0 THEN 'Vājredzība: lūdz lielu drukas burtu.' ELSE '' END,
            false, now() - interval '3 years'
        FROM generate_series(1, {clients}) AS i""",
        ),
        (
            "cases",
            f"""
        INSERT INTO cases_case (id, reference, subject, client_id, programme_id, office_id, channel,
            status, assignee_id, team_id, language, next_due_at, version, created_at, updated_at,
            closed_at)
        SELECT i, 'BEN-' || (2024 + i % 3) || '-' || lpad(i::text, 7, '0'),
            ({subjects})[1 + i % 12] || ' ' || (i % 997),
            1 + ((i::bigint * 7919) % {clients})::int,
            CASE WHEN i % 8 = 0 THEN NULL ELSE ({prog_arr})[1 + i % 10] END,
            CASE WHEN i % 5 = 3 THEN ({office_arr})[1 + i % 5] END,
            (ARRAY['email','email','email','phone','in_person','post','portal'])[1 + i % 7],
            s.status,
            CASE WHEN s.status = 'new' THEN NULL ELSE ({emp_arr})[1 + (i * 31) % 50] END,
            CASE WHEN s.status = 'new' THEN NULL ELSE ({team_arr})[1 + (i * 31) % 50] END,
            CASE WHEN i % 10 = 0 THEN 'en' ELSE 'lv' END,
            CASE WHEN s.status IN ('new','open','waiting') AND i % 11 <> 0
                 THEN now() + ((i * 37) % 10080 - 2880) * interval '1 minute' END,
            1, now() - (i % 730) * interval '1 day' - (i % 600) * interval '1 minute', now(),
            CASE WHEN s.status = 'closed' THEN now() - (i % 700) * interval '1 day' END
        FROM generate_series(1, {n}) AS i,
        LATERAL (SELECT CASE WHEN i % 100 < 90 THEN 'closed' WHEN i % 100 < 93 THEN 'resolved'
                             WHEN i % 100 < 95 THEN 'new' WHEN i % 100 < 99 THEN 'open'
                             ELSE 'waiting' END AS status) s""",
        ),
        (
            "messages",
            f"""
        INSERT INTO cases_message (case_id, channel, direction, kind, author_id, sender, recipients,
            subject, body, body_html, language, message_id, in_reply_to, "references", created_at, meta)
        SELECT c.id, c.channel, 'in', 'request', NULL::bigint, 'client' || c.client_id || '@example.lv', '',
            c.subject, ({bodies})[1 + c.id % 6], '', c.language, '', '', '', c.created_at, '{{}}'::jsonb
        FROM cases_case c
        UNION ALL
        SELECT c.id, c.channel, 'out', 'reply', c.assignee_id, '', '', c.subject,
            ({replies})[1 + c.id % 3], '', c.language, '', '', '', c.created_at + interval '3 hours', '{{}}'::jsonb
        FROM cases_case c WHERE c.id % 2 = 0 AND c.assignee_id IS NOT NULL""",
        ),
        (
            "events",
            """
        INSERT INTO cases_caseevent (case_id, type, actor_id, message_id, at, params)
        SELECT id, 'case.opened', NULL::bigint, NULL::bigint, created_at, jsonb_build_object('channel', channel)
        FROM cases_case
        UNION ALL
        SELECT id, 'case.assigned', assignee_id, NULL::bigint, created_at + interval '5 minutes',
            jsonb_build_object('to', assignee_id, 'to_name', 'Kolēģis')
        FROM cases_case WHERE assignee_id IS NOT NULL""",
        ),
        (
            "timers",
            """
        INSERT INTO sla_timer (case_id, commitment_id, status, started_at, due_at, warn_at,
            kept_by, stopped_by, computed_with, created_at, next_check_at)
        SELECT id, 'EMAIL-REPLY-1BD', 'open', next_due_at - interval '1 day', next_due_at,
            next_due_at - interval '2 hours', '', '', 'bench', now(), next_due_at
        FROM cases_case WHERE next_due_at IS NOT NULL""",
        ),
        (
            "search documents",
            f"""
        INSERT INTO search_searchdocument (case_id, text, vector, updated_at)
        SELECT c.id, d.text, to_tsvector('simple', d.text), now()
        FROM cases_case c JOIN clients_client k ON k.id = c.client_id,
        LATERAL (SELECT {fold_sql("c.reference || ' ' || c.subject || ' ' || k.name || ' ' || k.email || ' ' || substr(k.phone, 5) || ' ' || coalesce((SELECT string_agg(m.subject || ' ' || m.body, ' ') FROM cases_message m WHERE m.case_id = c.id), '')")} AS text) d""",
        ),
    ]
    with connection.cursor() as cur:
        # The documents' GIN index is made after the rows (search/0002: over the words and the
        # access facets, which a trigger fills per row; the words only before that migration).
        cur.execute("DROP INDEX IF EXISTS search_doc_vector_gin")
        cur.execute("DROP INDEX IF EXISTS search_doc_vector_facets_gin")
        cur.execute(
            "SELECT 1 FROM pg_attribute WHERE attrelid = 'search_searchdocument'::regclass "
            "AND attname = 'facets'"
        )
        gin = "(vector, facets)" if cur.fetchone() else "(vector)"
        gin_name = "search_doc_vector_facets_gin" if gin != "(vector)" else "search_doc_vector_gin"
        cur.execute("SET maintenance_work_mem = '512MB'")
        for label, sql in steps:
            t = time.perf_counter()
            cur.execute(sql)
            print(
                f"  {label}: {cur.rowcount:,} rows in {time.perf_counter() - t:.1f} s", flush=True
            )
        t = time.perf_counter()
        cur.execute(f"CREATE INDEX {gin_name} ON search_searchdocument USING gin {gin}")
        for table in ("clients_client", "cases_case", "cases_message", "cases_caseevent"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        print(f"  GIN index + sequences: {time.perf_counter() - t:.1f} s", flush=True)
    connection.close()
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        t = time.perf_counter()
        conn.execute("VACUUM ANALYZE")
        print(f"  VACUUM ANALYZE: {time.perf_counter() - t:.1f} s", flush=True)
    print(f"  generated {n:,} cases in {time.perf_counter() - t0:.0f} s", flush=True)


# Proposed to charterdesk.cases (not in its models yet): the inbox's default view is the active cases
# sorted by deadline; indexes on only those rows let PostgreSQL read a page in index order instead of
# sorting every active row of a team or of the whole institution.
PARTIAL_INDEXES = {
    "bench_case_active_due": "(next_due_at, id)",
    "bench_case_assignee_active_due": "(assignee_id, next_due_at, id)",
    "bench_case_team_active_due": "(team_id, next_due_at, id)",
    "bench_case_programme_active_due": "(programme_id, next_due_at, id)",
}


def set_partial_indexes(enabled: bool) -> None:
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        for name, columns in PARTIAL_INDEXES.items():
            if enabled:
                conn.execute(
                    f"CREATE INDEX IF NOT EXISTS {name} ON cases_case {columns} "
                    "WHERE status IN ('new', 'open', 'waiting')"
                )
            else:
                conn.execute(f"DROP INDEX IF EXISTS {name}")
        conn.execute("ANALYZE cases_case")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def measure(runs: int, seed: int = 7) -> dict[str, list[float]]:
    from django.test import Client

    from charterdesk.cases.models import Case
    from charterdesk.desk.selectors import InboxFilters, Scope, inbox_page
    from charterdesk.directory.models import Employee, Office, Programme

    rng = random.Random(seed)
    employee = Employee.objects.order_by("pk").first()
    assert employee is not None
    client = Client()
    client.force_login(employee.user)
    programme = Programme.objects.order_by("pk").first()
    office = Office.objects.order_by("pk").first()
    assert programme is not None and office is not None
    max_id = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 1

    # Cursors for later pages of the "all active" inbox, found once through the selector.
    from django.utils import timezone

    cursors: list[str] = []
    cursor = None
    for _ in range(10):
        page = inbox_page(
            employee=employee,
            filters=InboxFilters(scope=Scope.ALL),
            cursor=cursor,
            now=timezone.now(),
        )
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
        cursors.append(cursor.encode())

    scenarios: dict[str, list[str]] = {
        "inbox: mine": ["/?scope=mine"],
        "inbox: my team's": ["/?scope=team"],
        "inbox: a programme's": [f"/?scope=programme&programme={programme.pk}"],
        "inbox: unassigned": ["/?scope=unassigned"],
        "inbox: all active": ["/?scope=all"],
        "inbox: filters (channel, office, status)": [
            f"/?scope=all&channel=email&status=open&office={office.pk}",
            "/?scope=team&channel=phone",
            "/?scope=all&status=closed",
        ],
        "inbox: only breached": ["/?scope=all&breached=on", "/?scope=mine&breached=on"],
        "inbox: search": [
            "/?scope=all&q=berzina",
            "/?scope=all&q=zvaigzne+inese",
            "/?scope=all&q=mikrokred",
            "/?scope=all&status=all&q=kalnins+garantija",
            "/?scope=mine&status=all&q=zeme",
        ],
        "inbox: later pages (keyset)": [f"/?scope=all&after={c}" for c in cursors],
    }
    results: dict[str, list[float]] = {}
    for name, urls in scenarios.items():
        for url in urls:  # warm up
            assert client.get(url).status_code == 200, url
        times = []
        for i in range(runs):
            url = urls[i % len(urls)]
            t = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, url
        results[name] = times
    # Cases the employee may see (cases/access.py): any other answers 404, as if it did not exist.
    from charterdesk.cases.access import cases_visible_to

    visible = list(
        cases_visible_to(employee).filter(pk__lte=max_id).values_list("pk", flat=True)[:200_000]
    )
    case_ids = [rng.choice(visible) for _ in range(runs + 5)]
    for pk in case_ids[:5]:
        client.get(f"/cases/{pk}/")
    times = []
    for pk in case_ids[5:]:
        t = time.perf_counter()
        response = client.get(f"/cases/{pk}/")
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, pk
    results["case page"] = times
    return results


def report(n: int, results: dict[str, list[float]], variant: str) -> None:
    print(f"\n{n:,} cases, {variant} — server time in ms (Django test client, in-process)")
    print(f"{'scenario':45} {'runs':>5} {'p50':>7} {'p95':>7} {'max':>7}")
    inbox: list[float] = []
    for name, times in results.items():
        if name.startswith("inbox"):
            inbox += times
        print(
            f"{name:45} {len(times):5d} {statistics.median(times):7.1f} {pct(times, 95):7.1f} "
            f"{max(times):7.1f}"
        )
    print(
        f"{'inbox, all scenarios':45} {len(inbox):5d} {statistics.median(inbox):7.1f} "
        f"{pct(inbox, 95):7.1f} {max(inbox):7.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--db", default="cd_bench_desk")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--reuse", action="store_true", help="keep data already of the same size")
    parser.add_argument(
        "--partial-indexes",
        choices=["no", "yes", "both"],
        default="both",
        help="measure without / with the proposed partial indexes on active cases (default: both)",
    )
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = f"{SERVER}/{args.db}"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    for n in args.cases:
        connection.close()
        if not (args.reuse and case_count(args.db) == n):
            print(f"Generating {n:,} cases into {args.db} …", flush=True)
            recreate_database(args.db)
            generate(n)
        for enabled in {"no": [False], "yes": [True], "both": [False, True]}[args.partial_indexes]:
            connection.close()
            set_partial_indexes(enabled)
            report(
                n, measure(args.runs), "with the proposed partial indexes" if enabled else "as is"
            )


if __name__ == "__main__":
    main()
