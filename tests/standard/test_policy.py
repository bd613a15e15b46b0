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
# tests never read ../shared): a clean clone anywhere runs this test.
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


def test_custom_commitment_allowed_only_as_process_rule_or_not_measurable(tmp_path):
    custom = broken('id = "EMAIL-REPLY-1BD"', 'id = "PARKING-FREE"\ncustom = true')
    with pytest.raises(PolicyError, match="a custom commitment can only be"):
        parse_policy(custom, tmp_path / "p.toml")
    ok = (
        '[standard]\nname.lv = "X"\nname.en = "X"\n[[commitment]]\nid = "PARKING-FREE"\ncustom = true\n'
        'channel = "in_person"\nkind = "not_measurable"\nhow_checked = "audit"\ntitle.lv = "a"\ntitle.en = "b"\n'
    )
    assert "PARKING-FREE" in parse_policy(ok, tmp_path / "p.toml")


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
