"""Domain errors of the case services; each message says what was refused and why."""

from __future__ import annotations


class CaseError(Exception):
    """A case operation that the rules do not allow."""


class IllegalTransition(CaseError):
    def __init__(self, reference: str, current: str, target: str, allowed: list[str]) -> None:
        self.reference, self.current, self.target, self.allowed = (
            reference,
            current,
            target,
            allowed,
        )
        allowed_text = ", ".join(allowed) if allowed else "none"
        super().__init__(
            f"Case {reference} cannot go from '{current}' to '{target}'; "
            f"from '{current}' it can go to: {allowed_text}."
        )


class ConcurrentChange(CaseError):
    def __init__(self, reference: str, expected: int, actual: int) -> None:
        self.reference, self.expected, self.actual = reference, expected, actual
        super().__init__(
            f"Case {reference} was changed by someone else meanwhile (version {actual}, "
            f"you saw {expected}); reload it and try again."
        )


class MissingReasons(CaseError):
    pass


class RuleViolation(CaseError):
    """A content or process rule of the standard refused the operation."""
