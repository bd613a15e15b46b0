"""Rings are derived from alerting seconds with the policy's cycle [PHONE-RING]."""

import pytest

from charterdesk.channels.phone.rings import RingRule
from charterdesk.standard import get_policy
from charterdesk.standard.policy import PolicyError, parse_policy


def test_the_policy_gives_a_five_second_cycle_and_four_rings():
    rule = RingRule.from_policy(get_policy())
    assert (rule.cycle_seconds, rule.threshold) == (5.0, 4)


@pytest.mark.parametrize(
    ("seconds", "rings"),
    [
        (None, None),
        (0, 0),
        (0.2, 1),
        (1, 1),
        (5, 1),
        (5.001, 2),
        (16, 4),
        (20, 4),
        (20.0000001, 4),
        (21, 5),
    ],
)
def test_rings_are_ceil_of_seconds_over_the_cycle(seconds, rings):
    assert RingRule(5.0, 4).rings(seconds) == rings


def test_within_the_threshold():
    rule = RingRule(5.0, 4)
    assert rule.within(20) and not rule.within(20.5) and not rule.within(None)


_BASE = """
[standard]
name.lv = "x"
name.en = "x"
[[commitment]]
id = "PHONE-RING"
channel = "phone"
kind = "threshold"
threshold = 4
unit = "rings"
target_rate = 0.95
title.lv = "x"
title.en = "x"
"""


def test_a_threshold_in_rings_needs_its_cycle(tmp_path):
    with pytest.raises(
        PolicyError, match="PHONE-RING: a threshold in rings needs 'ring_cycle_seconds'"
    ):
        parse_policy(_BASE, tmp_path / "p.toml")
    with pytest.raises(PolicyError, match="must be a number of seconds"):
        parse_policy(_BASE + 'ring_cycle_seconds = "5"\n', tmp_path / "p.toml")
    policy = parse_policy(_BASE + "ring_cycle_seconds = 6\n", tmp_path / "p.toml")
    assert RingRule.from_policy(policy).cycle_seconds == 6.0


def test_the_one_contact_window_is_in_working_days(tmp_path):
    text = """
[standard]
name.lv = "x"
name.en = "x"
[[commitment]]
id = "PHONE-ONE-CONTACT"
channel = "phone"
kind = "deadline"
deadline = "4 working hours"
starts_on = "callback.promised"
stops_on = "callback.made"
target_rate = 0.95
title.lv = "x"
title.en = "x"
"""
    with pytest.raises(PolicyError, match="'again_within' must be in working days"):
        parse_policy(text + 'again_within = "4 hours"\n', tmp_path / "p.toml")
    policy = parse_policy(text + 'again_within = "3 working days"\n', tmp_path / "p.toml")
    assert policy["PHONE-ONE-CONTACT"].again_within.amount == 3
    assert get_policy()["PHONE-ONE-CONTACT"].again_within.amount == 3


def test_a_share_is_rounded_not_cut_off():
    from django.utils import translation

    from charterdesk.channels.phone.templatetags.phone_tags import percent

    with translation.override("lv"):
        assert percent(2 / 3) == "66,7 %"  # number_format alone gives 66,6
        assert percent(0.8) == "80,0 %"
    with translation.override("en"):
        assert percent(1 / 3) == "33.3 %"
