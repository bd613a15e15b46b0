"""Bulk assign / transfer / close: one confirmation, then the single-case services, case by case.

``bulk_plan`` says, for each chosen case, what will happen or why it cannot (read only; the page of
confirmation shows it).  ``bulk_apply`` calls the same service the case page's action calls
(``case_assign``, ``case_transfer``, ``case_close``) once per case, each in its own transaction,
with the version the confirmation showed: the access rules of ``cases/access.py`` hold per case
(``lock(by=)``), a case changed meanwhile is refused (``ConcurrentChange``), and every case that
is not changed is reported with the reason — none is skipped silently.

Rules of the bulk action itself: at most ``BULK_MAX`` cases at once; a transfer needs a note; an
assignment goes only to a colleague competent for the case's programme [COMPETENCE-LIMIT] (the
others are transferred with a note, as on the case page); a case already with the colleague is
reported, not assigned again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from charterdesk.cases import services
from charterdesk.cases.access import cases_visible_to, require_change, require_reassign
from charterdesk.cases.errors import CaseError, IllegalTransition
from charterdesk.cases.models import Case
from charterdesk.cases.status import TRANSITIONS, Status
from charterdesk.desk.services.seen import case_seen
from charterdesk.directory.models import Employee

BULK_MAX = 100
HANDED_OVER = (Status.NEW, Status.OPEN, Status.WAITING)


class BulkAction(StrEnum):
    ASSIGN = "assign"
    TRANSFER = "transfer"
    CLOSE = "close"


@dataclass
class BulkItem:
    pk: int
    case: Case | None  # None: no such case, or one the employee may not see
    ok: bool
    text: str
    version: int = 0


def _cases(by: Employee, pks: list[int]) -> dict[int, Case]:
    rows = (
        cases_visible_to(by, Case.objects.all())
        .filter(pk__in=pks)
        .select_related("team", "programme", "assignee", "client")
        .prefetch_related("named")
    )
    return {c.pk: c for c in rows}


def _check_input(action: BulkAction, pks: list[int], to: Employee | None, note: str) -> None:
    if not pks:
        raise ValidationError(_("Choose at least one case."), code="none")
    if len(pks) > BULK_MAX:
        raise ValidationError(
            _("At most %(max)d cases at once; you chose %(n)d.") % {"max": BULK_MAX, "n": len(pks)},
            code="many",
        )
    if action in (BulkAction.ASSIGN, BulkAction.TRANSFER) and to is None:
        raise ValidationError(_("Choose the colleague who takes the cases."), code="to")
    if action is BulkAction.TRANSFER and not note.strip():
        raise ValidationError(
            _("Write a note for the colleague: what is asked and what is done."), code="note"
        )


def _refusal(
    action: BulkAction, case: Case, by: Employee, to: Employee | None, competent: set[int]
) -> str:
    """Why ``action`` cannot be done to ``case`` by ``by``, or "" (the rules the services apply,
    said before anything is changed, and the bulk action's own)."""
    try:
        if action is BulkAction.CLOSE:
            require_change(by, case)
            current = Status(case.status)
            if Status.CLOSED not in TRANSITIONS[current]:
                allowed = sorted(s.value for s in TRANSITIONS[current])
                raise IllegalTransition(case.reference, current.value, Status.CLOSED.value, allowed)
            return ""
        require_reassign(by, case)
    except (PermissionDenied, CaseError) as exc:
        return str(exc)
    assert to is not None
    if Status(case.status) not in HANDED_OVER:
        return _("Case %(ref)s is %(status)s; reopen it before assigning.") % {
            "ref": case.reference,
            "status": case.get_status_display(),
        }
    if case.assignee_id == to.pk:
        return _("Case %(ref)s is already with %(name)s.") % {
            "ref": case.reference,
            "name": to.full_name,
        }
    outside = case.programme_id is not None and case.programme_id not in competent
    if action is BulkAction.ASSIGN and outside:
        return _(
            "%(name)s does not hold the competence for %(programme)s; "
            "transfer the case with a note instead."
        ) % {"name": to.full_name, "programme": case.programme.name}  # type: ignore[union-attr]
    return ""


def _competences(to: Employee | None) -> set[int]:
    if to is None:
        return set()
    return set(to.competences.values_list("pk", flat=True))


def _unseen_item(pk: int) -> BulkItem:
    return BulkItem(
        pk,
        None,
        False,
        _("Case number %(pk)d was not found, or you may not see it.") % {"pk": pk},
    )


def _checked(
    by: Employee, action: BulkAction, pks: list[int], to: Employee | None, note: str
) -> Iterator[tuple[int, Case, BulkItem | None]]:
    """Each chosen case with the item that refuses it, or ``None`` when it may go ahead (a case
    not found or not visible comes as an unsaved stand-in, always refused)."""
    _check_input(action, pks, to, note)
    found = _cases(by, pks)
    competent = _competences(to)
    for pk in pks:
        case = found.get(pk)
        if case is None:
            yield pk, Case(pk=pk), _unseen_item(pk)
            continue
        refusal = _refusal(action, case, by, to, competent)
        yield pk, case, BulkItem(pk, case, False, refusal, case.version) if refusal else None


def bulk_plan(
    *,
    by: Employee,
    action: BulkAction,
    case_ids: Iterable[int],
    to: Employee | None = None,
    note: str = "",
) -> list[BulkItem]:
    """What ``bulk_apply`` would do to each case now (nothing is changed).  Raises
    ``ValidationError`` when the request as a whole cannot be done."""
    items = []
    for pk, case, refused in _checked(by, action, list(dict.fromkeys(case_ids)), to, note):
        if refused is not None:
            items.append(refused)
            continue
        if action is BulkAction.ASSIGN:
            text = _("Will be assigned to %(name)s.") % {"name": to.full_name}  # type: ignore[union-attr]
        elif action is BulkAction.TRANSFER:
            text = _("Will be transferred to %(name)s with your note.") % {"name": to.full_name}  # type: ignore[union-attr]
        else:
            text = _("Will be closed.")
        items.append(BulkItem(pk, case, True, text, case.version))
    return items


def bulk_apply(
    *,
    by: Employee,
    action: BulkAction,
    versions: Mapping[int, int | None],
    to: Employee | None = None,
    note: str = "",
) -> list[BulkItem]:
    """Do ``action`` to each case of ``versions`` (case id → the version the employee confirmed)
    through the case's own service; one result per case, in order."""
    items: list[BulkItem] = []
    for pk, case, refused in _checked(by, action, list(versions), to, note):
        if refused is not None:
            items.append(refused)
            continue
        try:
            if action is BulkAction.ASSIGN:
                assert to is not None
                done = services.case_assign(case=case, to=to, by=by, expected_version=versions[pk])
                text = _("The case is now with %(name)s.") % {"name": to.full_name}
            elif action is BulkAction.TRANSFER:
                assert to is not None
                done = services.case_transfer(
                    case=case, to=to, by=by, note=note, expected_version=versions[pk]
                )
                text = _("Transferred to %(name)s.") % {"name": to.full_name}
            else:
                done = services.case_close(case=case, by=by, expected_version=versions[pk])
                text = _("The case is closed.")
        except Http404:  # no longer visible to the employee (made confidential meanwhile)
            items.append(_unseen_item(pk))
            continue
        except (CaseError, PermissionDenied, ValidationError) as exc:
            reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            items.append(BulkItem(pk, case, False, reason, case.version))
            continue
        items.append(BulkItem(pk, done, True, text, done.version))
    # The employee changed these themselves: they are not "new since you last looked".
    case_seen(employee=by, cases=[i.case for i in items if i.ok and i.case is not None])
    return items
