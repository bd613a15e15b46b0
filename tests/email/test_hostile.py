"""Hostile mail, bounded work (issue 13): each hostile shape of ``tests/email/hostile.py`` parses
in time linear in its size (doubling the input at most ~2.5x the time) and within a budget at
a fixed size; a message over the parser's time limit, or one that kills the parser process, goes
to quarantine as ``too_complex`` and the rest of the batch goes on."""

from __future__ import annotations

import email.header
import functools
import time
from collections.abc import Callable

import pytest
from django.utils import translation

from charterdesk.channels.email.intake import parser as parser_module
from charterdesk.channels.email.intake.details import shown
from charterdesk.channels.email.intake.process import process_pending
from charterdesk.channels.email.intake.store import RawMail, store_raw
from charterdesk.channels.email.models import InboundEmail, InboundState, QuarantineReason
from charterdesk.channels.email.parsing import parse_message
from charterdesk.channels.email.parsing.headers import MAX_IDS, TEXT_LIMIT, decode_header
from charterdesk.channels.email.parsing.html import flatten_deep, html_to_text, sanitise
from charterdesk.channels.email.parsing.model import TooComplex
from charterdesk.channels.email.parsing.pool import parse_isolated, parse_one
from tests.email import hostile
from tests.email.hostile import kill_on_marker
from tests.email.messages import build


def _best(make: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        make()
        best = min(best, time.perf_counter() - started)
    return best


@pytest.mark.parametrize("name", sorted(hostile.HOSTILE))
def test_hostile_message_parses_in_linear_time(name):
    build_raw, size, _unit = hostile.HOSTILE[name]
    small, large = build_raw(size // 8), build_raw(size // 4)
    # 2.5x for twice the input (quadratic would be 4x); 20 ms of slack.  The machine is shared
    # and noisy: measured again up to three times (a quadratic step fails every time).
    seen = []
    for _attempt in range(3):
        t_small = _best(lambda: parse_message(small))
        t_large = _best(lambda: parse_message(large))
        seen.append((round(t_small, 4), round(t_large, 4)))
        if t_large <= 2.5 * t_small + 0.02:
            break
    else:
        pytest.fail(f"{name}: {seen}")


@pytest.mark.parametrize(
    ("name", "budget"),
    [("html_end_tags", 1.0), ("subject_encoded_words", 1.0), ("subject_unterminated_words", 1.0)],
)
def test_the_messages_of_the_issue_parse_within_a_second(name, budget):
    """The sizes issue 13 measured: 400 KB of ``</`` took 29 s, 200,000 encoded words 69 s."""
    build_raw, size, _unit = hostile.HOSTILE[name]
    raw = build_raw(size)
    assert _best(lambda: parse_message(raw), repeat=2) < budget


def test_what_the_limits_keep():
    parsed = parse_message(hostile.subject_encoded_words(200_000))
    assert set(parsed.subject) == {"ā"} and len(parsed.subject) < TEXT_LIMIT
    assert any("Subject: longer than" in r for r in parsed.repairs)
    parsed = parse_message(hostile.references_ids(10_000))
    assert len(parsed.references) == MAX_IDS
    assert parsed.references[0] == "<r0@example.lv>"
    assert parsed.references[-1] == "<r9999@example.lv>"
    parsed = parse_message(hostile.html_nested_divs(10_000))
    assert parsed.text.count("x") == 10_000  # the text of every div is kept
    parsed = parse_message(hostile.header_lines(5_000))
    assert parsed.subject == "hostile" and parsed.sender is not None
    assert any("5" in d and "fields" in d for d in parsed.defects)
    parsed = parse_message(hostile.recipients(2_000))  # 2,000 addresses: all read
    assert len(parsed.cc) == 2_000 and parsed.cc[1999].name == "Jānis 1999"
    parsed = parse_message(hostile.recipients(20_000))  # 1 MB of them: the first 128 KB
    assert 2_000 < len(parsed.cc) < 20_000 and any("header:" in d for d in parsed.defects)


@pytest.mark.parametrize(
    "value",
    [
        "=?utf-8?q?J=C4=81nis?= Ozols",
        "=?utf-8?b?SsSBbmlz?= =?utf-8?b?IE96b2xz?=",
        "plain =?iso-8859-1?q?caf=E9?=  and =?utf-8?q?more?=\r\n =?utf-8?q?_folded?=",
        "=?utf-8?q?a?= b =?utf-8?q?c?=",
        "=?x-unknown?q?abc?=",
        "=?utf-8?b?YWJj?=",
        "no words here",
        "=?utf-8?q?open",
    ],
)
def test_linear_decode_header_reads_as_the_standard_library_does(value):
    assert decode_header(value) == email.header.decode_header(value)


def test_html_to_text_blocks_quotes_scripts_and_entities():
    text = html_to_text(
        "<html><head><title>T</title><style>p{}</style></head><body><p>Labdien,&nbsp;"
        "J&#257;ni!</p><ul><li>viens<li>divi</ul><script>if (a<b) x()</script>"
        "<blockquote>vecs\nteksts</blockquote>a < b &amp; c</body>"
    )
    assert text == "Labdien, Jāni!\n\n- viens\n- divi\n\n> vecs\n> teksts\na < b & c"


def test_deep_blocks_are_flattened_before_the_sanitiser():
    html = "<div>" * 1000 + "x" + "</div>" * 1000
    flat = flatten_deep(html)
    assert flat.count("<div>") == 200 and flat.count("</div>") == 200 and "x" in flat
    assert sanitise(html).count("<div>") == 200
    shallow = "<div><p>a</p></div>" * 500
    assert flatten_deep(shallow) == shallow


# --- the time limit and crashes ----------------------------------------------------------------


def test_a_message_over_the_time_limit_is_too_complex():
    raw = hostile.many_parts(20_000)
    result = parse_one(raw, None, False, ("utf-8",), 0.05)
    assert isinstance(result, TooComplex) and not result.crashed
    assert not isinstance(parse_one(build(), None, False, ("utf-8",), 5.0), TooComplex)


def test_a_time_limit_whose_exception_is_lost_still_makes_the_message_too_complex(monkeypatch):
    """A signal handler's exception raised inside a garbage-collector callback or a ``__del__`` is
    swallowed by Python; the parse then ends on its own, and is still over the limit."""
    import contextlib
    import gc

    from charterdesk.channels.email.parsing import pool

    seen = {}

    def swallowing_parser(raw, **kwargs):
        seen["collecting"] = gc.isenabled()
        started = time.monotonic()
        while time.monotonic() - started < 0.3:
            # as Python does with an exception raised in a gc callback
            with contextlib.suppress(pool.ParseTimeout):
                sum(range(10_000))
        return "parsed"

    monkeypatch.setattr(pool, "parse_message", swallowing_parser)
    assert isinstance(pool.parse_one(b"x", None, False, ("utf-8",), 0.05), pool.TooComplex)
    assert seen["collecting"] is False  # no gc callbacks inside the limit
    assert gc.isenabled()
    assert pool.parse_one(b"x", None, False, ("utf-8",), 5.0) == "parsed"


def test_a_parser_process_killed_mid_parse_stops_only_that_message():
    items = [(build(subject=f"Nr. {i}"), None, False) for i in range(3)]
    items.insert(1, (build(subject="KILL-THE-PARSER"), None, False))
    results = parse_isolated(items, ("utf-8",), 5.0, kill_on_marker)
    assert isinstance(results[1], TooComplex) and results[1].crashed
    assert [r.subject for i, r in enumerate(results) if i != 1] == ["Nr. 0", "Nr. 1", "Nr. 2"]


@pytest.mark.django_db
def test_intake_quarantines_too_complex_and_takes_the_rest(settings):
    settings.CHARTERDESK_EMAIL_PARSE_SECONDS = 0.1
    store_raw(
        [
            RawMail(build(subject="Pirms"), "test"),
            RawMail(hostile.many_parts(20_000), "test"),
            RawMail(build(subject="Pēc"), "test"),
        ]
    )
    process_pending(workers=0)
    first, heavy, last = InboundEmail.objects.order_by("id")
    assert first.state == last.state == InboundState.PROCESSED
    assert heavy.state == InboundState.QUARANTINED and heavy.reason == QuarantineReason.TOO_COMPLEX
    with translation.override("lv"):
        assert "pārāk sarežģīts" in shown(heavy.error, heavy.info)
        assert heavy.get_reason_display() == "pārāk sarežģīts, lai to izlasītu atvēlētajā laikā"
    with translation.override("en"):
        assert "too complex" in shown(heavy.error, heavy.info)


@pytest.mark.django_db
def test_after_a_crash_mid_parse_the_batch_is_parsed_apart(monkeypatch):
    """The processing process died while parsing this batch (``attempts`` was counted): the next
    run parses it in a child process, the message that kills it is quarantined, the rest goes
    on."""
    store_raw(
        [
            RawMail(build(subject="Viens"), "test"),
            RawMail(build(subject="KILL-THE-PARSER"), "test"),
            RawMail(build(subject="Divi"), "test"),
        ]
    )
    InboundEmail.objects.update(attempts=1)
    monkeypatch.setattr(
        parser_module,
        "parse_isolated",
        functools.partial(parse_isolated, parse=kill_on_marker),
    )
    process_pending(workers=0)
    one, killer, two = InboundEmail.objects.order_by("id")
    assert one.state == two.state == InboundState.PROCESSED
    assert killer.state == InboundState.QUARANTINED
    assert killer.reason == QuarantineReason.TOO_COMPLEX and "ended" in killer.error
