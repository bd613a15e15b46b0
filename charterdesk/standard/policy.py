"""Load and validate a policy file: the service standard as data.

Every problem is reported as ``PolicyError`` naming the file, the commitment and what is wrong, so
that a broken policy stops start-up with a message an administrator can act on.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from charterdesk.standard.channels import ANY_CHANNEL, Channel
from charterdesk.standard.durations import Duration, DurationError, DurationUnit, parse_duration
from charterdesk.standard.events import Event
from charterdesk.standard.ids import KNOWN_IDS


class PolicyError(ValueError):
    """A policy file that cannot be used; the message says where and why."""


class Kind(StrEnum):
    DEADLINE = "deadline"  # a clock starts on one event and must stop by a due moment
    THRESHOLD = "threshold"  # a measured quantity must stay within a limit (rings, minutes)
    CONTENT_RULE = "content_rule"  # the software refuses content that breaks it
    PROCESS_RULE = "process_rule"  # the software makes a step mandatory or records it
    NOT_MEASURABLE = "not_measurable"  # checked by people; the report says how


#: What an institution's own commitment (``custom = true``) may be: a deadline is measured by the
#: same timers as the standard's (the engine needs only its events and duration).
CUSTOM_KINDS = (Kind.DEADLINE, Kind.PROCESS_RULE, Kind.NOT_MEASURABLE)

ID_PATTERN = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class Threshold:
    value: float
    unit: str


@dataclass(frozen=True, slots=True)
class Commitment:
    id: str
    section: str
    channels: tuple[str, ...]  # Channel values, or ANY_CHANNEL
    kind: Kind
    title: Mapping[str, str]
    deadline: Duration | None = None
    threshold: Threshold | None = None
    warn_before: Duration | None = None
    margin: Duration | None = None
    starts_on: tuple[Event, ...] = ()
    stops_on: tuple[Event, ...] = ()
    explained_by: tuple[Event, ...] = ()
    #: Events after which the commitment does not apply: they cancel its running timer (a
    #: submission answered by us needs no forwarding).  A deadline with them is *decided when it
    #: stops*: its due moment breaches nothing by itself; a stop by the due moment keeps it, a
    #: later stop breaks it, a cancelling event first leaves it out of the count.
    cancelled_by: tuple[Event, ...] = ()
    target_rate: float | None = None
    rule: str = ""
    how_checked: str = ""
    custom: bool = False
    ring_cycle_seconds: float | None = None  # threshold in rings: seconds per ring [PHONE-RING]
    again_within: Duration | None = None  # one-contact window [PHONE-ONE-CONTACT]

    def title_in(self, language: str) -> str:
        return self.title.get(language) or self.title.get("en") or self.id

    @property
    def measurable(self) -> bool:
        return self.kind is not Kind.NOT_MEASURABLE

    @property
    def decided_on_stop(self) -> bool:
        """A deadline that may yet not apply (``cancelled_by``): judged when its timer stops."""
        return bool(self.cancelled_by)


@dataclass(frozen=True, slots=True)
class SurveyRules:
    """``[surveys]`` of the policy: how often one client may be asked [SURVEYS], and how long a
    survey link stays valid."""

    min_days_between: int = 30
    link_valid_days: int = 14


@dataclass(frozen=True, slots=True)
class Policy:
    path: Path
    name: Mapping[str, str]
    commitments: Mapping[str, Commitment] = field(default_factory=dict)
    surveys: SurveyRules = field(default_factory=SurveyRules)

    def __getitem__(self, commitment_id: str) -> Commitment:
        try:
            return self.commitments[commitment_id]
        except KeyError:
            raise KeyError(
                f"the policy {self.path.name} has no commitment {commitment_id!r}"
            ) from None

    def __contains__(self, commitment_id: object) -> bool:
        return commitment_id in self.commitments

    def for_channel(self, channel: Channel | str) -> list[Commitment]:
        ch = Channel(channel)
        return [
            c for c in self.commitments.values() if ch in c.channels or ANY_CHANNEL in c.channels
        ]

    def started_by(self, event: Event | str) -> list[Commitment]:
        ev = Event(event)
        return [c for c in self.commitments.values() if ev in c.starts_on]


_COMMON_KEYS = {"id", "section", "channel", "kind", "title", "target_rate", "custom", "rule"}
_KIND_KEYS: dict[Kind, set[str]] = {
    Kind.DEADLINE: {
        "deadline",
        "starts_on",
        "stops_on",
        "explained_by",
        "cancelled_by",
        "warn_before",
        "margin",
        "again_within",
    },
    Kind.THRESHOLD: {"threshold", "unit", "starts_on", "stops_on", "ring_cycle_seconds"},
    Kind.CONTENT_RULE: {"starts_on", "stops_on"},
    Kind.PROCESS_RULE: {"starts_on", "stops_on"},
    Kind.NOT_MEASURABLE: {"how_checked"},
}


#: Units a warning or a margin can be counted back from a due moment in (sla/deadlines.py:before).
_COUNTABLE_BACK = (
    DurationUnit.WORKING_HOURS,
    DurationUnit.WORKING_MINUTES,
    DurationUnit.HOURS,
    DurationUnit.MINUTES,
)


class _Checker:
    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, problem: str) -> PolicyError:
        return PolicyError(f"{self.path}: {where}: {problem}")

    def events(self, where: str, key: str, raw: Any) -> tuple[Event, ...]:
        if raw is None:
            return ()
        items = [raw] if isinstance(raw, str) else raw
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise self.fail(where, f"'{key}' must be an event name or a list of them")
        out = []
        for item in items:
            try:
                out.append(Event(item))
            except ValueError:
                known = ", ".join(e.value for e in Event)
                raise self.fail(
                    where, f"'{key}' names unknown event {item!r} (known: {known})"
                ) from None
        return tuple(out)

    def duration(self, where: str, key: str, raw: Any) -> Duration | None:
        if raw is None:
            return None
        try:
            return parse_duration(raw)
        except DurationError as exc:
            raise self.fail(where, f"bad duration in '{key}': {exc}") from None

    def commitment(self, raw: Any, index: int) -> Commitment:
        if not isinstance(raw, dict):
            raise self.fail(f"commitment #{index}", "must be a table")
        cid = raw.get("id")
        if not isinstance(cid, str) or not cid:
            raise self.fail(f"commitment #{index}", "has no 'id'")
        where = f"commitment {cid}"
        if not ID_PATTERN.match(cid):
            raise self.fail(where, "an ID is upper-case words joined by '-', e.g. EMAIL-ACK")
        custom = bool(raw.get("custom", False))
        try:
            kind = Kind(str(raw.get("kind")))
        except ValueError:
            raise self.fail(
                where,
                f"unknown kind {raw.get('kind')!r} (one of: {', '.join(k.value for k in Kind)})",
            ) from None
        if cid not in KNOWN_IDS:
            if not custom:
                raise self.fail(
                    where,
                    "unknown commitment ID; the software knows "
                    f"{', '.join(sorted(KNOWN_IDS))}; mark an institution's own commitment "
                    "'custom = true'",
                )
            if kind not in CUSTOM_KINDS:
                raise self.fail(
                    where,
                    "a custom commitment can be a deadline (measured by its timers), a "
                    "process_rule or not_measurable; a threshold or content_rule needs a part of "
                    "the software that measures or enforces it",
                )
        allowed = _COMMON_KEYS | _KIND_KEYS[kind]
        extra = sorted(set(raw) - allowed)
        if extra:
            raise self.fail(where, f"keys not allowed for kind {kind.value}: {', '.join(extra)}")
        channels_raw = raw.get("channel")
        channels_list = [channels_raw] if isinstance(channels_raw, str) else channels_raw
        if not channels_list or not isinstance(channels_list, list):
            raise self.fail(where, "has no 'channel'")
        known = [*Channel.values, ANY_CHANNEL]
        if any(c not in known for c in channels_list):
            raise self.fail(
                where, f"unknown channel in {channels_raw!r} (one of: {', '.join(known)})"
            )
        channels = tuple(str(c) for c in channels_list)
        title = raw.get("title")
        if not isinstance(title, dict) or not title.get("lv") or not title.get("en"):
            raise self.fail(where, "needs 'title.lv' and 'title.en'")
        section = str(raw.get("section", ""))
        target_rate = raw.get("target_rate")
        if target_rate is not None and (
            not isinstance(target_rate, int | float) or not 0 < float(target_rate) <= 1
        ):
            raise self.fail(
                where, f"'target_rate' must be a fraction in (0, 1], got {target_rate!r}"
            )
        starts_on = self.events(where, "starts_on", raw.get("starts_on"))
        stops_on = self.events(where, "stops_on", raw.get("stops_on"))
        deadline = threshold = None
        if kind is Kind.DEADLINE:
            if "deadline" not in raw:
                raise self.fail(where, "missing target: a deadline commitment needs 'deadline'")
            deadline = self.duration(where, "deadline", raw["deadline"])
            if not starts_on or not stops_on:
                raise self.fail(where, "a deadline commitment needs 'starts_on' and 'stops_on'")
        if kind is Kind.THRESHOLD:
            value = raw.get("threshold")
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise self.fail(
                    where, "missing target: a threshold commitment needs a number 'threshold'"
                )
            unit = raw.get("unit")
            if not isinstance(unit, str) or not unit:
                raise self.fail(where, "a threshold commitment needs 'unit' (e.g. 'rings')")
            threshold = Threshold(float(value), unit)
        ring_cycle = raw.get("ring_cycle_seconds")
        if threshold is not None and threshold.unit == "rings" and ring_cycle is None:
            raise self.fail(
                where, "a threshold in rings needs 'ring_cycle_seconds' (seconds per ring, e.g. 5)"
            )
        if ring_cycle is not None:
            if threshold is None or threshold.unit != "rings":
                raise self.fail(where, "'ring_cycle_seconds' belongs to a threshold in rings")
            if (
                not isinstance(ring_cycle, int | float)
                or isinstance(ring_cycle, bool)
                or not 0 < float(ring_cycle) <= 60
            ):
                raise self.fail(
                    where,
                    f"'ring_cycle_seconds' must be a number of seconds in (0, 60], got {ring_cycle!r}",
                )
        again_within = self.duration(where, "again_within", raw.get("again_within"))
        if again_within is not None and again_within.unit is not DurationUnit.WORKING_DAYS:
            raise self.fail(
                where,
                f"'again_within' must be in working days (e.g. '3 working days'), got {again_within}",
            )
        if kind in (Kind.CONTENT_RULE, Kind.PROCESS_RULE) and not raw.get("rule"):
            raise self.fail(where, f"a {kind.value} needs 'rule': what the software does")
        if kind is Kind.NOT_MEASURABLE and not raw.get("how_checked"):
            raise self.fail(where, "a commitment not measurable by software needs 'how_checked'")
        if kind is not Kind.NOT_MEASURABLE and target_rate is None:
            raise self.fail(where, "missing target: 'target_rate' (e.g. 0.95)")
        warn_before = self.duration(where, "warn_before", raw.get("warn_before"))
        margin = self.duration(where, "margin", raw.get("margin"))
        for key, value in (("warn_before", warn_before), ("margin", margin)):
            if value is not None and value.unit not in _COUNTABLE_BACK:
                raise self.fail(
                    where,
                    f"'{key}' = '{value}' cannot be counted back from a deadline; write it in "
                    "working hours or minutes, or in hours or minutes (e.g. '8 working hours')",
                )
        explained_by = self.events(where, "explained_by", raw.get("explained_by"))
        cancelled_by = self.events(where, "cancelled_by", raw.get("cancelled_by"))
        for key, named in (
            ("starts_on", starts_on),
            ("stops_on", stops_on),
            ("explained_by", explained_by),
        ):
            both = sorted({str(e) for e in cancelled_by} & {str(e) for e in named})
            if both:
                raise self.fail(
                    where,
                    f"'cancelled_by' and '{key}' both name {', '.join(both)}: an event either "
                    "cancels the clock or counts for it",
                )
        if cancelled_by and margin is not None:
            raise self.fail(
                where,
                "'margin' (an action owed before the deadline) cannot be combined with "
                "'cancelled_by' (a deadline that may not apply)",
            )
        return Commitment(
            id=cid,
            section=section,
            channels=channels,
            kind=kind,
            title={str(k): str(v) for k, v in title.items()},
            deadline=deadline,
            threshold=threshold,
            warn_before=warn_before,
            margin=margin,
            starts_on=starts_on,
            stops_on=stops_on,
            explained_by=explained_by,
            cancelled_by=cancelled_by,
            target_rate=float(target_rate) if target_rate is not None else None,
            rule=str(raw.get("rule", "")),
            how_checked=str(raw.get("how_checked", "")),
            custom=custom,
            ring_cycle_seconds=float(ring_cycle) if ring_cycle is not None else None,
            again_within=again_within,
        )


def parse_policy(text: str, path: Path) -> Policy:
    """Validate the TOML ``text`` of a policy file; ``path`` is used in messages."""
    check = _Checker(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{path}: not valid TOML: {exc}") from None
    standard = data.get("standard")
    if not isinstance(standard, dict) or not isinstance(standard.get("name"), dict):
        raise PolicyError(f"{path}: needs a [standard] table with name.lv and name.en")
    unknown_top = sorted(set(data) - {"standard", "commitment", "surveys"})
    if unknown_top:
        raise PolicyError(f"{path}: unknown top-level keys: {', '.join(unknown_top)}")
    raw_commitments = data.get("commitment")
    if not isinstance(raw_commitments, list) or not raw_commitments:
        raise PolicyError(f"{path}: lists no [[commitment]]")
    commitments: dict[str, Commitment] = {}
    for index, raw in enumerate(raw_commitments, start=1):
        commitment = check.commitment(raw, index)
        if commitment.id in commitments:
            raise check.fail(f"commitment {commitment.id}", "is listed twice")
        commitments[commitment.id] = commitment
    return Policy(
        path=path,
        name=dict(standard["name"]),
        commitments=commitments,
        surveys=_survey_rules(check, data.get("surveys")),
    )


def _survey_rules(check: _Checker, raw: Any) -> SurveyRules:
    if raw is None:
        return SurveyRules()
    if not isinstance(raw, dict):
        raise check.fail("surveys", "must be a table")
    extra = sorted(set(raw) - {"min_days_between", "link_valid_days"})
    if extra:
        raise check.fail("surveys", f"unknown keys: {', '.join(extra)}")
    values = {}
    for key in ("min_days_between", "link_valid_days"):
        value = raw.get(key, getattr(SurveyRules(), key))
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise check.fail(
                "surveys", f"'{key}' must be a whole number of days ≥ 1, got {value!r}"
            )
        values[key] = value
    return SurveyRules(**values)


def load_policy(path: str | Path) -> Policy:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"{p}: cannot read the policy file: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise PolicyError(
            f"{p}: is not UTF-8 text (offset {exc.start}); save it as UTF-8"
        ) from None
    return parse_policy(text, p)


def ids_in_standard_text(lines: Iterable[str]) -> set[str]:
    """The commitment IDs a standard's text marks as ``[ID]``."""
    found: set[str] = set()
    for line in lines:
        found.update(re.findall(r"`\[([A-Z][A-Z0-9-]+)\]`", line))
    return found
