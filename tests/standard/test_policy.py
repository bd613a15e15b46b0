"""The policy file: every commitment of the standard is there, and a broken file says what and where."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from charterdesk.standard import Kind, PolicyError, load_policy
from charterdesk.standard.durations import DurationUnit, parse_duration
from charterdesk.standard.policy import ids_in_standard_text, parse_policy

REPO = Path(__file__).resolve().parents[2]
POLICY = REPO / "charterdesk" / "standard" / "policies" / "altum.toml"
# A copy of the standard's English translation, kept beside the policy file (the product and its
# tests never read the shared folder outside the repository): a clean clone anywhere runs this test.
STANDARD_TEXT = POLICY.parent / "customer-service-standard.en.md"


def test_every_commitment_of_the_standard_is_in_the_policy():
    assert STANDARD_TEXT.exists(), f"the standard's translation is expected at {STANDARD_TEXT}"
    ids = ids_in_standard_text(STANDARD_TEXT.read_text(encoding="utf-8").splitlines())
    assert len(ids) >= 25, ids  # the translation marks 29 commitments today
    policy = load_policy(POLICY)
    missing = sorted(ids - set(policy.commitments))
    assert not missing, f"policy {POLICY.name} misses {missing}"


def test_policy_values_match_the_standard():
    policy = load_policy(POLICY)
    ring = policy["PHONE-RING"]
    assert ring.kind is Kind.THRESHOLD and ring.threshold and ring.threshold.value == 4
    assert ring.threshold.unit == "rings"
    reply = policy["EMAIL-REPLY-1BD"]
    assert reply.deadline == parse_duration("1 working day")
    assert [e.value for e in reply.explained_by] == ["delay.explained"]
    ack = policy["EMAIL-ACK"]
    assert ack.deadline and ack.deadline.unit is DurationUnit.SAME_WORKING_DAY
    assert policy["NO-GIFTS"].kind is Kind.NOT_MEASURABLE and policy["NO-GIFTS"].how_checked
    assert {c.id for c in policy.for_channel("email")} >= {
        "EMAIL-ACK",
        "EMAIL-REPLY-1BD",
        "EMAIL-IDENTITY",
    }
    assert "PHONE-RING" not in {c.id for c in policy.for_channel("email")}


GOOD = """
[standard]
name.lv = "X"
name.en = "X"

[[commitment]]
id = "EMAIL-REPLY-1BD"
section = "3.3"
channel = "email"
kind = "deadline"
deadline = "1 working day"
starts_on = "message.received"
stops_on = "reply.sent"
target_rate = 0.95
title.lv = "a"
title.en = "b"
"""


def broken(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            broken('id = "EMAIL-REPLY-1BD"', 'id = "EMAIL-REPLY-2BD"'),
            "commitment EMAIL-REPLY-2BD: unknown commitment ID",
        ),
        (
            broken('deadline = "1 working day"\n', ""),
            "commitment EMAIL-REPLY-1BD: missing target: a deadline commitment needs 'deadline'",
        ),
        (
            broken("target_rate = 0.95\n", ""),
            "commitment EMAIL-REPLY-1BD: missing target: 'target_rate'",
        ),
        (
            broken('"1 working day"', '"one working day"'),
            "commitment EMAIL-REPLY-1BD: bad duration in 'deadline': 'one working day' is not a duration",
        ),
        (broken('"1 working day"', '"0 working days"'), "the amount must be positive"),
        (
            broken('stops_on = "reply.sent"', 'stops_on = "reply.snet"'),
            "'stops_on' names unknown event 'reply.snet'",
        ),
        (broken('kind = "deadline"', 'kind = "deadlin"'), "unknown kind 'deadlin'"),
        (broken('channel = "email"', 'channel = "fax"'), "unknown channel"),
        (broken("target_rate = 0.95", "target_rate = 95"), "'target_rate' must be a fraction"),
        (
            GOOD + GOOD[GOOD.index("[[commitment]]") :],
            "commitment EMAIL-REPLY-1BD: is listed twice",
        ),
        (broken("[standard]", "[standard"), "not valid TOML"),
        (broken('title.en = "b"', ""), "needs 'title.lv' and 'title.en'"),
        (
            broken('deadline = "1 working day"', 'deadline = "1 working day"\nhow_checked = "x"'),
            "keys not allowed for kind deadline: how_checked",
        ),
    ],
)
def test_broken_policy_names_file_commitment_and_problem(text, expected, tmp_path):
    path = tmp_path / "broken.toml"
    with pytest.raises(PolicyError) as info:
        parse_policy(text, path)
    message = str(info.value)
    assert message.startswith(f"{path}: "), message
    assert expected in message, message


def test_custom_commitment_may_be_a_deadline_process_rule_or_not_measurable(tmp_path):
    # GOOD's EMAIL-REPLY-1BD renamed to an institution's own ID: a custom deadline is accepted.
    custom = broken('id = "EMAIL-REPLY-1BD"', 'id = "SUBMISSION-REPLY"\ncustom = true')
    policy = parse_policy(custom, tmp_path / "p.toml")
    assert policy["SUBMISSION-REPLY"].kind is Kind.DEADLINE and policy["SUBMISSION-REPLY"].custom
    ok = (
        '[standard]\nname.lv = "X"\nname.en = "X"\n[[commitment]]\nid = "PARKING-FREE"\ncustom = true\n'
        'channel = "in_person"\nkind = "not_measurable"\nhow_checked = "audit"\ntitle.lv = "a"\ntitle.en = "b"\n'
    )
    assert "PARKING-FREE" in parse_policy(ok, tmp_path / "p.toml")
    threshold = ok.replace('kind = "not_measurable"\nhow_checked = "audit"', 'kind = "threshold"')
    with pytest.raises(PolicyError) as info:
        parse_policy(threshold, tmp_path / "p.toml")
    assert str(info.value).startswith(f"{tmp_path / 'p.toml'}: commitment PARKING-FREE: ")
    assert "a custom commitment can be a deadline" in str(info.value)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (('"10 working days"', '"ten days"'), "bad duration in 'deadline'"),
        (('starts_on = "message.received"\n', ""), "needs 'starts_on' and 'stops_on'"),
        (
            (
                'stops_on = ["reply.sent", "case.resolved", "case.declined", "case.referred"]',
                'stops_on = "reply.gone"',
            ),
            "unknown event 'reply.gone'",
        ),
        (("target_rate = 0.95\n", ""), "missing target: 'target_rate'"),
        (('deadline = "10 working days"\n', ""), "a deadline commitment needs 'deadline'"),
        (
            ('"8 working hours"', '"2 working days"'),
            "'warn_before' = '2 working days' cannot be counted back",
        ),
    ],
)
def test_custom_deadline_is_validated_like_the_standards(change, expected, tmp_path):
    path = REPO / "charterdesk" / "standard" / "policies" / "examples" / "submissions-law.toml"
    text = path.read_text(encoding="utf-8")
    at = text.index('id = "SUBMISSION-REPLY-10WD"')  # change the custom commitment only
    assert change[0] in text[at:]
    with pytest.raises(PolicyError) as info:
        parse_policy(text[:at] + text[at:].replace(change[0], change[1], 1), path)
    message = str(info.value)
    assert message.startswith(f"{path}: commitment SUBMISSION-REPLY-10WD: "), message
    assert expected in message, message


def test_the_submissions_law_example_extends_the_standard():
    path = REPO / "charterdesk" / "standard" / "policies" / "examples" / "submissions-law.toml"
    policy = load_policy(path)
    # ALTUM's policy copied unchanged, then the custom commitments
    assert POLICY.read_text(encoding="utf-8") in path.read_text(encoding="utf-8")
    assert set(load_policy(POLICY).commitments) < set(policy.commitments)
    reply = policy["SUBMISSION-REPLY-10WD"]
    assert reply.custom and reply.deadline == parse_duration("10 working days")
    forward = policy["SUBMISSION-FORWARD-5WD"]
    assert forward.custom and forward.kind is Kind.DEADLINE and forward.decided_on_stop
    assert forward.deadline == parse_duration("5 working days")
    assert [e.value for e in forward.stops_on] == ["case.referred"]
    assert [e.value for e in forward.cancelled_by] == [
        "reply.sent",
        "case.resolved",
        "case.declined",
    ]
    # the standard's own deadlines are decided at their due moment
    assert not any(c.decided_on_stop for c in load_policy(POLICY).commitments.values())


FORWARD_CANCELS = 'cancelled_by = ["reply.sent", "case.resolved", "case.declined"]'


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            (FORWARD_CANCELS, 'cancelled_by = ["reply.sent", "reply.gone"]'),
            "'cancelled_by' names unknown event 'reply.gone'",
        ),
        (
            (FORWARD_CANCELS, 'cancelled_by = ["reply.sent", "case.referred"]'),
            "'cancelled_by' and 'stops_on' both name case.referred",
        ),
        (
            (FORWARD_CANCELS, 'cancelled_by = "message.received"'),
            "'cancelled_by' and 'starts_on' both name message.received",
        ),
        (
            (FORWARD_CANCELS, FORWARD_CANCELS + '\nmargin = "1 working hour"'),
            "'margin' (an action owed before the deadline) cannot be combined with 'cancelled_by'",
        ),
        (
            (
                'kind = "deadline"\ndeadline = "5 working days"',
                'kind = "process_rule"\nrule = "Forwarded."',
            ),
            "keys not allowed for kind process_rule: cancelled_by",
        ),
    ],
)
def test_a_deadline_that_may_not_apply_is_validated(change, expected):
    path = REPO / "charterdesk" / "standard" / "policies" / "examples" / "submissions-law.toml"
    text = path.read_text(encoding="utf-8")
    at = text.index('id = "SUBMISSION-FORWARD-5WD"')
    assert change[0] in text[at:]
    with pytest.raises(PolicyError) as info:
        parse_policy(text[:at] + text[at:].replace(change[0], change[1], 1), path)
    message = str(info.value)
    assert message.startswith(f"{path}: commitment SUBMISSION-FORWARD-5WD: "), message
    assert expected in message, message


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(PolicyError, match="cannot read the policy file"):
        load_policy(tmp_path / "nope.toml")


def test_broken_policy_stops_start_up_with_its_message(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text(broken('"1 working day"', '"soon"'), encoding="utf-8")
    env = {
        **os.environ,
        "CHARTERDESK_POLICY": str(path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    result = subprocess.run(
        [sys.executable, "-m", "charterdesk", "check"],
        env=env,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert result.returncode != 0
    assert (
        f"{path}: commitment EMAIL-REPLY-1BD: bad duration in 'deadline': 'soon'" in result.stderr
    )


@pytest.mark.parametrize(
    ("text", "unit", "amount"),
    [
        ("1 working day", DurationUnit.WORKING_DAYS, 1),
        ("3 Working Days", DurationUnit.WORKING_DAYS, 3),
        ("4 working hours", DurationUnit.WORKING_HOURS, 4),
        ("30 minutes", DurationUnit.MINUTES, 30),
        ("same working day", DurationUnit.SAME_WORKING_DAY, 0),
        ("promised", DurationUnit.PROMISED, 0),
    ],
)
def test_durations(text, unit, amount):
    assert parse_duration(text) == parse_duration(text.upper())
    d = parse_duration(text)
    assert (d.unit, d.amount) == (unit, amount)


def test_survey_rules_are_read_and_checked(tmp_path):
    policy = load_policy(POLICY)
    assert policy.surveys.min_days_between == 30 and policy.surveys.link_valid_days == 14
    text = POLICY.read_text(encoding="utf-8")
    for bad, expected in (
        ("min_days_between = 30", "'min_days_between' must be a whole number of days"),
        ("link_valid_days = 14", "'link_valid_days' must be a whole number of days"),
    ):
        with pytest.raises(PolicyError) as info:
            parse_policy(text.replace(bad, bad.split(" = ")[0] + ' = "often"'), tmp_path / "p.toml")
        assert str(info.value).startswith(f"{tmp_path / 'p.toml'}: surveys: ")
        assert expected in str(info.value)
    with pytest.raises(PolicyError, match="surveys: unknown keys: every"):
        parse_policy(text.replace("[surveys]\n", "[surveys]\nevery = 3\n"), tmp_path / "p.toml")
