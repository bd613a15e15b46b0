"""Each figure's definition in words, from the policy: numerator ÷ denominator and what is left out."""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from charterdesk.standard import Commitment, Kind


def _events(events: tuple[object, ...]) -> str:
    return ", ".join(str(e) for e in events)


def target_text(commitment: Commitment) -> str:
    if commitment.kind is Kind.DEADLINE and commitment.deadline is not None:
        return _("%(deadline)s, in %(rate)s of cases") % {
            "deadline": deadline_words(commitment),
            "rate": percent(commitment.target_rate),
        }
    if commitment.kind is Kind.THRESHOLD and commitment.threshold is not None:
        if commitment.threshold.unit == "rings":  # [PHONE-RING], in the reader's language
            return _("by ring %(value)s, in %(rate)s of cases") % {
                "value": f"{commitment.threshold.value:g}",
                "rate": percent(commitment.target_rate),
            }
        return _("at most %(value)s %(unit)s, in %(rate)s of cases") % {
            "value": f"{commitment.threshold.value:g}",
            "unit": commitment.threshold.unit,
            "rate": percent(commitment.target_rate),
        }
    if commitment.target_rate is not None:
        return percent(commitment.target_rate)
    return "—"


def deadline_words(commitment: Commitment) -> str:
    d = commitment.deadline
    if d is None:
        return ""
    unit = d.unit.value
    if unit == "same_working_day":
        return _("by the end of the same working day")
    if unit == "promised":
        return _("by the moment promised to the client")
    words = {
        "working_days": _("within %(n)s working days"),
        "working_hours": _("within %(n)s working hours"),
        "working_minutes": _("within %(n)s working minutes"),
        "hours": _("within %(n)s hours"),
        "minutes": _("within %(n)s minutes"),
    }
    return words[unit] % {"n": d.amount}


def definition(commitment: Commitment) -> str:
    """The figure's definition as the report prints it."""
    if commitment.kind is Kind.DEADLINE and commitment.decided_on_stop:
        return " ".join(
            [
                _(
                    "Rate = kept ÷ counted. Counted: every clock of this commitment that stopped "
                    "in the period (by %(stops)s); the clock starts on %(starts)s."
                )
                % {"stops": _events(commitment.stops_on), "starts": _events(commitment.starts_on)},
                _("Kept: it stopped by the due moment. Broken: it stopped after the due moment."),
                _(
                    "Left out: clocks cancelled by %(cancels)s (the commitment did not apply), "
                    "clocks still running (those past their due moment are shown as overdue: not "
                    "broken yet, as the case may still be answered instead), automatic replies."
                )
                % {"cancels": _events(commitment.cancelled_by)},
            ]
        )
    if commitment.kind in (Kind.DEADLINE, Kind.THRESHOLD):
        parts = [
            _(
                "Rate = (kept + kept by explanation) ÷ counted. Counted: every clock of this "
                "commitment whose due moment fell in the period; the clock starts on %(starts)s."
            )
            % {"starts": _events(commitment.starts_on)},
            _("Kept: %(stops)s came by the due moment.") % {"stops": _events(commitment.stops_on)},
        ]
        if commitment.explained_by:
            parts.append(
                _("Kept by explanation: %(explained)s came by the due moment.")
                % {"explained": _events(commitment.explained_by)}
            )
        parts.append(
            _(
                "Broken: the due moment passed first; a late answer does not mend it. "
                "Left out: clocks not yet due (shown as still running), clocks the policy "
                "cancelled, automatic replies (they start no clock)."
            )
        )
        return " ".join(parts)
    if commitment.kind is Kind.NOT_MEASURABLE:
        return _("Not measured by software. How it is checked: %(how)s") % {
            "how": commitment.how_checked
        }
    if commitment.starts_on:
        return _(
            "Enforced by the software: %(rule)s The figure is how often it applied "
            "(%(events)s events in the period); there is no rate, the software does not let it "
            "be broken."
        ) % {"rule": commitment.rule, "events": _events(commitment.starts_on)}
    return _("Enforced by the software: %(rule)s There is no event to count.") % {
        "rule": commitment.rule
    }


def percent(rate: float | None) -> str:
    """A rate as the reader's language writes it: ``95,0 %`` in Latvian (decimal comma, a space
    before the sign), ``95.0%`` in English."""
    if rate is None:
        return "—"
    if (get_language() or "lv").startswith("en"):
        return f"{rate * 100:.1f}%"
    return f"{rate * 100:.1f}".replace(".", ",") + "\u00a0%"
