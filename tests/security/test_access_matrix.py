"""The access matrix: every URL of the project × every role × own / team / other programme /
confidential / confidential-and-named → the expected answer [CONFIDENTIALITY].

The URLs come from the URL configuration itself, so a URL added without a rule here fails
``test_every_url_has_a_rule`` (and its own matrix test) with the name to add.  Adding a rule is one
line in ``RULES``: the URL name and its kind (``Rule``).  The kinds and what each role gets:

- ``CASE_READ``  — a page or file of one case (GET): seen → 200, not seen → 404 as if absent.
- ``CASE_ACTION`` — a change to one case (POST, once per action in ``actions``): seen and may
  change → the action's own answer (200 form, 302 done, 409 not now), read-only or not allowed to
  reassign → 403, not seen → 404.
- ``EMPLOYEE_PAGE`` — a page for staff with an employee profile (the inbox): 200; lists only what the
  person may see (tested separately below).
- ``PUBLIC`` — sign-in, language switch: nobody is refused.
- ``ADMIN`` — Django's admin (the whole ``admin:`` namespace): staff only.
- ``FIGURES_PAGE`` — the compliance report, its drill-down and exports: team lead and quality manager
  200 (``cases.access.figures_access``), a plain employee and an administrator 403.
- ``MANAGER_PAGE`` / ``MANAGER_POST`` — the quality manager's (survey campaigns, closing a month):
  200 (a POST: 302 done), everyone else 403.
- ``PUBLIC_FIGURES`` — the opt-in public figures, published: 200 for everyone alike.
- ``Rule.exempt("why")`` — tested elsewhere (e.g. a machine API with its own token).

Roles: employee (Anna), team lead (Laura, of Anna's team), quality manager (Dace), administrator
(staff account without an employee profile), anonymous.  (The client portal's client gets its row
when the portal exists.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from charterdesk.desk.views.actions import HANDLERS
from tests.security.conftest import World


@dataclass(frozen=True)
class Rule:
    kind: str
    actions: tuple[str, ...] = ()
    why: str = ""
    kwargs: Callable[[World, Any], dict[str, Any]] | None = field(default=None, compare=False)

    @classmethod
    def exempt(cls, why: str) -> Rule:
        return cls("EXEMPT", why=why)


def _campaign(world: World) -> int:
    from datetime import date

    from django.utils import timezone

    from charterdesk.feedback.models import Campaign

    campaign, _created = Campaign.objects.get_or_create(
        title_lv="Pētījums",
        defaults={
            "title_en": "Research",
            "period_start": date(2026, 1, 1),
            "period_end": date(2026, 12, 31),
            "created_at": timezone.now(),
        },
    )
    return campaign.pk


CASE_READ = Rule("CASE_READ")


def _letter_of(world: World, case: Any) -> dict[str, Any]:
    """A letter answering ``case`` (through the case service and the post listener), once."""
    from charterdesk.cases.services import case_add_message
    from charterdesk.channels.post.models import SentLetter

    letter = SentLetter.objects.filter(case=case).first()
    if letter is None:
        client = case.client
        client.postal_address = "Brīvības iela 1, Rīga, LV-1010"
        client.save(update_fields=["postal_address"])
        case_add_message(
            case=case,
            direction="out",
            kind="reply",
            body="Labdien! Atbilde vēstulē.",
            author=case.assignee,
            delivery="letter",
        )
        letter = SentLetter.objects.get(case=case)
    return {"message_id": letter.message_id}


FIGURES_PAGE = Rule("FIGURES_PAGE")
PUBLIC_FIGURES = Rule("PUBLIC_FIGURES")
EMPLOYEE_PAGE = Rule("EMPLOYEE_PAGE")
PUBLIC = Rule("PUBLIC")
ADMIN = Rule("ADMIN")

# One line per URL name.  A new URL: add its name and kind here.
RULES: dict[str, Rule] = {
    "set_language": PUBLIC,
    "login": PUBLIC,
    "logout": PUBLIC,
    "inbox": EMPLOYEE_PAGE,
    # the inbox's live version (the same view's cases, through cases_visible_to), bulk actions
    # (each case through its own service's lock(by=): tests/desk/test_inbox_day.py), saved views
    # (an employee's own rows only: ibid.)
    "inbox_live": EMPLOYEE_PAGE,
    "inbox_bulk": Rule.exempt("per-case access of bulk actions: tests/desk/test_inbox_day.py"),
    "saved_filter_save": Rule.exempt(
        "POST, the employee's own views: tests/desk/test_inbox_day.py"
    ),
    "saved_filter_delete": Rule.exempt(
        "POST, only one's own view (404 otherwise): tests/desk/test_inbox_day.py"
    ),
    "case": CASE_READ,
    "attachment": CASE_READ,
    "refer_message": CASE_READ,
    "case_action": Rule("CASE_ACTION", actions=tuple(HANDLERS)),
    # the composer's draft (GET gives it back, POST saves it: tests/desk/test_drafts.py)
    "case_draft": CASE_READ,
    # the employee's own notifications, only of cases they may see (tests/notifications/)
    "notifications": EMPLOYEE_PAGE,
    "admin:*": ADMIN,
    # the second sign-in step and the authenticator enrolment (tests/signin/)
    "signin_totp": PUBLIC,
    "signin_totp_enrol": PUBLIC,
    "oidc_authentication_init": Rule.exempt("single sign-on, 404 unless configured: tests/signin/"),
    "oidc_authentication_callback": Rule.exempt(
        "single sign-on, 404 unless configured: tests/signin/"
    ),
    # consultations (charterdesk/appointments); a booking from a case reads the case through
    # case_for_user_or_404, the day view lists only visits of cases the person may see
    "appointment_book": EMPLOYEE_PAGE,
    "office_day": EMPLOYEE_PAGE,
    "appointment_measures": EMPLOYEE_PAGE,
    "appointment": Rule.exempt("one appointment, its case's visibility: tests/appointments/"),
    "appointment_action": Rule.exempt("an appointment's actions: tests/appointments/"),
    "visit_step": Rule.exempt("a visit's step (POST): tests/appointments/"),
    "walk_in": Rule.exempt("a walk-in (POST, opens its own case): tests/appointments/"),
    "appointment_link": Rule.exempt("the client's signed links: tests/appointments/"),
    # the phone channel: the desk's pages, and the exchanges' signed API (its own HMAC secret)
    "phone:calls": EMPLOYEE_PAGE,
    "phone:pop": EMPLOYEE_PAGE,
    "phone:callbacks": EMPLOYEE_PAGE,
    "phone:measures": EMPLOYEE_PAGE,
    "phone:sampling": EMPLOYEE_PAGE,
    "phone:call": Rule.exempt("one call, the caller's cases filtered by access: tests/phone/"),
    "phone_api:*": Rule.exempt("the exchanges' API, signed per exchange: tests/phone/test_api.py"),
    # letters
    "post_register": EMPLOYEE_PAGE,
    "post_letter_pdf": Rule("CASE_READ", kwargs=_letter_of),
    # the compliance report: team leads and the quality manager (cases.access.figures_access)
    "reports:report": FIGURES_PAGE,
    "reports:drilldown": Rule("FIGURES_PAGE", kwargs=lambda w, c: {"commitment_id": "EMAIL-ACK"}),
    "reports:export": Rule("FIGURES_PAGE", kwargs=lambda w, c: {"fmt": "csv"}),
    "reports:close": Rule("MANAGER_POST"),
    # the public figures (opt-in): the same for everyone, nobody signed in needed
    "reports:public": PUBLIC_FIGURES,
    "reports:open_data": Rule("PUBLIC_FIGURES", kwargs=lambda w, c: {"fmt": "json"}),
    # survey campaigns: the quality manager's (cases.access.may_run_campaigns)
    "feedback:campaigns": Rule("MANAGER_PAGE"),
    "feedback:campaign_results": Rule("MANAGER_PAGE", kwargs=lambda w, c: {"pk": _campaign(w)}),
    "feedback:campaign_send": Rule("MANAGER_POST", kwargs=lambda w, c: {"pk": _campaign(w)}),
    # feedback recorded by an employee from any channel
    "feedback:record": EMPLOYEE_PAGE,
    # the client's signed survey links (no account: the token is the access)
    "feedback:score": Rule.exempt("signed single-use survey link: tests/feedback/test_surveys.py"),
    "feedback:comment": Rule.exempt(
        "signed single-use survey link: tests/feedback/test_surveys.py"
    ),
    "feedback:campaign": Rule.exempt("signed single-use campaign link: tests/feedback/"),
}

ROLES = ("employee", "team_lead", "quality_manager", "administrator", "anonymous")
SITUATIONS = ("own", "team", "other_programme", "confidential", "named")
REASSIGN = {"assign", "transfer", "confidential"}

# Which case each situation means for each role (None: the role has no such case).
CASE_OF = {
    "employee": {
        "own": "anna",
        "team": "janis",
        "other_programme": "ilze",
        "confidential": "confidential",
        "named": "named",
    },
    "team_lead": {
        "own": "laura",
        "team": "anna",
        "other_programme": "ilze",
        "confidential": "confidential",
        "named": "named",
    },
}
for _role in ("quality_manager", "administrator", "anonymous"):
    CASE_OF[_role] = {**CASE_OF["employee"], "own": None}

# Who sees which situation's case (employee and lead by the rules of cases/access.py).
SEES = {
    "employee": {"own", "team", "named"},
    "team_lead": {"own", "team"},
    "quality_manager": {"team", "other_programme"},
}
ALLOWED = {200, 302, 409}
PAGE_KINDS = (
    "PUBLIC",
    "EMPLOYEE_PAGE",
    "ADMIN",
    "FIGURES_PAGE",
    "MANAGER_PAGE",
    "MANAGER_POST",
    "PUBLIC_FIGURES",
)


def expected_read(role: str, situation: str) -> set[int]:
    if role == "anonymous":
        return {302}
    if role == "administrator":
        return {403}  # no employee profile: the desk says so, for every case alike
    return {200} if situation in SEES[role] else {404}


def expected_action(role: str, situation: str, action: str) -> set[int]:
    if role in ("anonymous", "administrator"):
        return expected_read(role, situation)
    if situation not in SEES[role]:
        return {404}
    if role == "quality_manager":
        return {403}
    reassigns = situation == "own" or (role == "team_lead" and situation == "team")
    if action in REASSIGN and not reassigns:
        return {403}
    return ALLOWED


def expected_page(kind: str, role: str) -> set[int]:
    if kind == "PUBLIC_FIGURES":
        return {200}  # published (the test turns the opt-in on); the same for everyone
    if kind == "FIGURES_PAGE":  # cases.access.figures_access
        if role == "anonymous":
            return {302}
        return {200} if role in ("team_lead", "quality_manager") else {403}
    if kind in ("MANAGER_PAGE", "MANAGER_POST"):  # the quality manager's
        if role == "anonymous":
            return {302}
        if role == "quality_manager":
            return {302} if kind == "MANAGER_POST" else {200}
        return {403}
    if kind == "PUBLIC":
        return {200, 302, 405}  # never refused (logout answers GET with 405: it takes POST)
    if kind == "ADMIN":
        return {200} if role == "administrator" else {302}  # to the admin's sign-in
    if role == "anonymous":
        return {302}
    return {403} if role == "administrator" else {200}


# --- the URL configuration -------------------------------------------------------------------


@dataclass(frozen=True)
class Url:
    name: str
    route: str
    params: tuple[str, ...]


def _walk(patterns: list[Any], namespace: str = "", prefix: str = "") -> Iterator[Url]:
    for item in patterns:
        if isinstance(item, URLResolver):
            ns = f"{namespace}{item.namespace}:" if item.namespace else namespace
            yield from _walk(item.url_patterns, ns, prefix + str(item.pattern))
        elif isinstance(item, URLPattern) and item.name:
            params = tuple(getattr(item.pattern, "converters", {}) or ())
            yield Url(f"{namespace}{item.name}", prefix + str(item.pattern), params)


def project_urls() -> dict[str, Url]:
    found: dict[str, Url] = {}
    for url in _walk(get_resolver().url_patterns):
        found.setdefault(url.name, url)
    return found


def rule_for(name: str) -> Rule | None:
    if name in RULES:
        return RULES[name]
    namespace = name.split(":", 1)[0] + ":*" if ":" in name else ""
    return RULES.get(namespace)


def _ids() -> list[str]:
    names = [n for n in project_urls() if not n.startswith("admin:")]
    return [*sorted(names), "admin:index"]


def test_every_url_has_a_rule():
    missing = [
        f"  {url.name!r} ({url.route})" for url in project_urls().values() if not rule_for(url.name)
    ]
    assert not missing, (
        "These URL names have no access rule in tests/security/test_access_matrix.py RULES "
        "(add one line each, e.g. 'my_url': CASE_READ):\n" + "\n".join(missing)
    )


def test_rules_name_existing_urls():
    urls = project_urls()
    stale = [name for name in RULES if not name.endswith(":*") and name not in urls]
    assert not stale, f"RULES names URLs that no longer exist: {stale}"


# --- requests ---------------------------------------------------------------------------------


def _client(world: World, role: str) -> HttpClient:
    client = HttpClient()
    user = {
        "employee": world.anna.user,
        "team_lead": world.laura.user,
        "quality_manager": world.dace.user,
        "administrator": world.admin,
    }.get(role)
    if user is not None:
        # force_login also counts the second factor as given (tests/conftest.py): an administrator
        # must have one, and the sign-in steps themselves are tested in tests/signin/.
        client.force_login(user)
    return client


def _case_kwargs(url: Url, world: World, case: Any, rule: Rule) -> dict[str, Any]:
    if rule.kwargs is not None:
        return rule.kwargs(world, case)
    kwargs: dict[str, Any] = {}
    for param in url.params:
        if param == "pk":
            kwargs["pk"] = case.pk
        elif param == "attachment_id":
            kwargs["attachment_id"] = next(
                a.pk for m in case.messages.all() for a in m.attachments.all()
            )
        elif param == "action":
            continue  # filled per action
        else:
            pytest.fail(
                f"URL {url.name!r} takes {param!r}: give its rule a kwargs builder, "
                "Rule(kind, kwargs=lambda world, case: {...})"
            )
    return kwargs


@pytest.mark.parametrize("name", _ids())
def test_access_matrix(name, world):
    url = project_urls()[name]
    rule = rule_for(name)
    assert rule is not None, (
        f"URL {name!r} ({url.route}) has no access rule: add one line to RULES in "
        "tests/security/test_access_matrix.py"
    )
    if rule.kind == "EXEMPT":
        pytest.skip(rule.why)
    wrong: list[str] = []
    for role in ROLES:
        client = _client(world, role)
        if rule.kind in PAGE_KINDS:
            target = reverse(name, kwargs=rule.kwargs(world, None) if rule.kwargs else None)
            if rule.kind == "MANAGER_POST":
                answer = client.post(target, {"month": "2026-01"}).status_code
            elif rule.kind == "PUBLIC_FIGURES":
                with override_settings(CHARTERDESK_PUBLIC_FIGURES=True):
                    answer = client.get(target).status_code
            else:
                answer = client.get(target).status_code
            expected = expected_page(rule.kind, role)
            if answer not in expected:
                wrong.append(f"{role}: {answer}, expected {sorted(expected)}")
            continue
        for situation in SITUATIONS:
            key = CASE_OF[role][situation]
            if key is None:
                continue
            case = world.cases[key]
            kwargs = _case_kwargs(url, world, case, rule)
            if rule.kind == "CASE_READ":
                answer = client.get(reverse(name, kwargs=kwargs)).status_code
                expected = expected_read(role, situation)
                if answer not in expected:
                    wrong.append(f"{role} × {situation}: {answer}, expected {sorted(expected)}")
            elif rule.kind == "CASE_ACTION":
                for action in rule.actions:
                    target = reverse(name, kwargs={**kwargs, "action": action})
                    answer = client.post(target, {}).status_code
                    expected = expected_action(role, situation, action)
                    if answer not in expected:
                        wrong.append(
                            f"{role} × {situation} × {action}: {answer}, expected {sorted(expected)}"
                        )
            else:
                pytest.fail(f"unknown rule kind {rule.kind!r} for {name!r}")
    assert not wrong, f"{name}: wrong answers\n  " + "\n  ".join(wrong)


# --- lists: what the inbox and the search show ----------------------------------------------


def _listed(client: HttpClient, query: str, world: World) -> set[str]:
    """The cases the inbox links to (the search box may echo a reference; a link is a listing)."""
    html = client.get(f"/?{query}").content.decode()
    return {key for key, case in world.cases.items() if f'href="/cases/{case.pk}/"' in html}


@pytest.mark.parametrize(
    "role,seen",
    [
        ("employee", {"anna", "janis", "laura", "named"}),
        ("team_lead", {"anna", "janis", "laura"}),
        ("quality_manager", {"anna", "janis", "laura", "ilze"}),
    ],
)
def test_inbox_and_search_list_only_what_the_role_sees(world, role, seen):
    client = _client(world, role)
    for query in ("scope=all&status=all", "scope=all&status=all&q=labdien"):
        assert _listed(client, query, world) == seen, (role, query)
    # A reference typed whole finds a case only if the role sees it.
    for key, case in world.cases.items():
        found = _listed(client, f"scope=all&status=all&q={case.reference}", world)
        assert found == ({key} if key in seen else set()), (role, key)
