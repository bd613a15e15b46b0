"""Domain errors of the case services; each message says what was refused and why."""

from __future__ import annotations

from django.utils.translation import gettext as _


class CaseError(Exception):
    """A case operation that the rules do not allow.  ``field``: the argument at fault, when one
    is (a form shows the message beside it)."""

    def __init__(self, *args: object, field: str = "") -> None:
        super().__init__(*args)
        self.field = field


class IllegalTransition(CaseError):
    def __init__(self, reference: str, current: str, target: str, allowed: list[str]) -> None:
        self.reference, self.current, self.target, self.allowed = (
            reference,
            current,
            target,
            allowed,
        )
        from charterdesk.cases.status import Status

        def label(value: str) -> str:
            return str(Status(value).label) if value in Status.values else value

        allowed_text = ", ".join(label(a) for a in allowed) if allowed else _("nowhere")
        super().__init__(
            _(
                "Case %(ref)s cannot go from '%(current)s' to '%(target)s'; from '%(current)s' it can go to: %(allowed)s."
            )
            % {
                "ref": reference,
                "current": label(current),
                "target": label(target),
                "allowed": allowed_text,
            }
        )


class ConcurrentChange(CaseError):
    def __init__(self, reference: str, expected: int, actual: int) -> None:
        self.reference, self.expected, self.actual = reference, expected, actual
        super().__init__(
            _(
                "Case %(ref)s was changed by someone else meanwhile (version %(actual)d, you saw "
                "%(expected)d); reload it and try again."
            )
            % {"ref": reference, "actual": actual, "expected": expected}
        )


class MissingReasons(CaseError):
    pass


class RuleViolation(CaseError):
    """A content or process rule of the standard refused the operation."""
