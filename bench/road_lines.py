"""Lines of ``charterdesk/`` before and after issue 9 ("One write path"), from git alone.

    .venv/bin/python bench/road_lines.py            # the table in docs/email-intake.md
    .venv/bin/python bench/road_lines.py --now REV  # another "now"

Three revisions: ``BEFORE`` (8db5080, the parent of the first commit of the work, af8ed48),
``ONE_ROAD`` (2a73b31, the last commit of the work's own branch before main was merged into it:
the issue's change and nothing else) and ``--now`` (default HEAD: with everything merged since).
For each: the Python lines of ``charterdesk/`` without migrations, all of them and code only
(blank lines, comments and docstrings left out).  Then the functions of the two roads a received
message could take before (listed below by file and name), with their lines then and whether a
definition of that name is still in the file now (and how long); and the functions of the one
road then and now.  Last, what the work merged since added, per package.  Not a
benchmark: it reads ``git show`` and counts.
"""

from __future__ import annotations

import argparse
import ast
import io
import re
import subprocess
import textwrap
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEFORE = "8db5080"
ONE_ROAD = "2a73b31"

# The second road (the batch road), as it was at BEFORE: what repeated the per-message services
# and listeners.  (file, function or class; "*" is the whole file.)
BATCH_ROAD = [
    ("charterdesk/cases/services/batch.py", "*"),
    ("charterdesk/sla/batch.py", "*"),
    ("charterdesk/cases/events.py", "record_events_bulk"),
    ("charterdesk/cases/events.py", "register_batch_listener"),
    ("charterdesk/cases/events.py", "unregister_batch_listener"),
    ("charterdesk/search/listeners.py", "on_case_events"),
    ("charterdesk/channels/email/intake/batching.py", "*"),
]
# The per-message road at BEFORE: the services and listeners the batch road repeated.
MESSAGE_ROAD = [
    ("charterdesk/cases/services/lifecycle.py", "case_open"),
    ("charterdesk/cases/services/messages.py", "case_add_message"),
    ("charterdesk/cases/events.py", "record_event"),
    ("charterdesk/cases/events.py", "register_listener"),
    ("charterdesk/cases/events.py", "unregister_listener"),
    ("charterdesk/sla/engine.py", "_apply_deadline"),
    ("charterdesk/sla/engine.py", "timer_open"),
    ("charterdesk/sla/engine.py", "_is_automatic"),
    ("charterdesk/sla/engine.py", "on_case_event"),
    ("charterdesk/sla/engine.py", "refresh_case_due"),
    ("charterdesk/search/listeners.py", "on_case_event"),
    # interleaved both roads: which one a message took
    ("charterdesk/channels/email/intake/deliver.py", "deliver"),
]
# Files renamed by the work: a definition is looked for under its new name.
RENAMED = {
    "charterdesk/cases/events.py": "charterdesk/cases/recording.py",
    "charterdesk/channels/email/intake/deliver.py": "charterdesk/channels/email/intake/rules.py",
}
# The one road now: every received message, one or ten thousand.
ONE_ROAD_NOW = [
    ("charterdesk/cases/services/lifecycle.py", "case_open"),  # cases_open with one item
    ("charterdesk/cases/services/messages.py", "case_add_message"),  # received: one item
    ("charterdesk/cases/services/receive.py", "*"),
    ("charterdesk/cases/recording.py", "*"),
    ("charterdesk/assembly/route.py", "*"),
    ("charterdesk/sla/engine.py", "timer_deadline"),
    ("charterdesk/sla/engine.py", "_new_timer"),
    ("charterdesk/sla/engine.py", "_insert"),
    ("charterdesk/sla/engine.py", "_Plan"),
    ("charterdesk/sla/engine.py", "_cancel"),  # the forwarding deadline (after the issue)
    ("charterdesk/sla/engine.py", "_stop_or_explain"),
    ("charterdesk/sla/engine.py", "on_case_events"),
    ("charterdesk/sla/engine.py", "refresh_cases_due"),
    ("charterdesk/sla/engine.py", "schedule_fire_many"),
    ("charterdesk/search/listeners.py", "on_case_events"),
    ("charterdesk/channels/email/intake/batching.py", "*"),
    ("charterdesk/channels/email/intake/rules.py", "apply_rules"),  # deliver's successor
]


def git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout


def source(rev: str, path: str) -> str | None:
    try:
        return git("show", f"{rev}:{path}")
    except subprocess.CalledProcessError:
        return None


def files(rev: str) -> list[str]:
    names = git("ls-tree", "-r", "--name-only", rev, "charterdesk").split()
    return [n for n in names if n.endswith(".py") and "/migrations/" not in n]


def code_lines(text: str) -> int:
    """Lines holding code: not blank, not only a comment, not part of a docstring."""
    docstrings: set[int] = set()
    for node in ast.walk(ast.parse(text)):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                docstrings.update(range(body[0].lineno, (body[0].end_lineno or 0) + 1))
    lines: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type in (
            tokenize.COMMENT,
            tokenize.NL,
            tokenize.NEWLINE,
            tokenize.INDENT,
            tokenize.DEDENT,
            tokenize.ENDMARKER,
        ):
            continue
        lines.update(range(token.start[0], token.end[0] + 1))
    return len(lines - docstrings)


def totals(rev: str) -> tuple[int, int, int]:
    texts = [source(rev, path) or "" for path in files(rev)]
    return len(texts), sum(len(t.splitlines()) for t in texts), sum(code_lines(t) for t in texts)


def definition(text: str, name: str) -> tuple[int, int] | None:
    """(lines, code lines) of the top-level ``name`` in ``text``; the whole text for ``*``."""
    if name == "*":
        return len(text.splitlines()), code_lines(text)
    for node in ast.parse(text).body:
        if getattr(node, "name", None) == name:
            start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
            piece = "\n".join(text.splitlines()[start - 1 : node.end_lineno])
            return (node.end_lineno or start) - start + 1, code_lines(textwrap.dedent(piece))
    return None


def road(rev: str, parts: list[tuple[str, str]], now: str | None = None) -> tuple[int, int]:
    all_lines = code = 0
    for path, name in parts:
        text = source(rev, path)
        found = definition(text, name) if text is not None else None
        label = path.removeprefix("charterdesk/") + ("" if name == "*" else f" {name}")
        if found is None:
            print(f"  {label:62s}      —")
            continue
        all_lines, code = all_lines + found[0], code + found[1]
        fate = ""
        if now is not None:
            later = source(now, path) or source(now, RENAMED.get(path, path))
            after = definition(later, name) if later is not None else None
            fate = "gone" if after is None else f"now {after[0]} lines"
        print(f"  {label:62s} {found[0]:5d} {found[1]:5d}  {fate}")
    print(f"  {'together':62s} {all_lines:5d} {code:5d}")
    return all_lines, code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--now", default="HEAD")
    args = parser.parse_args()
    now = git("rev-parse", "--short", args.now).strip()
    print("charterdesk/ (Python, migrations left out)   files   lines   code lines")
    for label, rev in (("before", BEFORE), ("one road alone", ONE_ROAD), ("now", now)):
        n, lines, code = totals(rev)
        print(f"  {label:15s} {rev:10s}                   {n:5d} {lines:7,d} {code:7,d}")
    print(f"\nthe batch road at {BEFORE} (lines, code lines, by {now}):")
    road(BEFORE, BATCH_ROAD, now)
    print(f"\nthe per-message road at {BEFORE}:")
    road(BEFORE, MESSAGE_ROAD, now)
    for label, rev in (("one road alone", ONE_ROAD), ("now", now)):
        print(f"\nthe one road, {label} ({rev}):")
        road(rev, ONE_ROAD_NOW)
    print(f"\nthe same files and functions at {BEFORE} (the two roads side by side):")
    events = "charterdesk/cases/events.py"  # (whole: it was the road's door, as recording.py is)
    both = [part for part in BATCH_ROAD + MESSAGE_ROAD if part[0] != events] + [(events, "*")]
    road(BEFORE, both)
    for first, last in ((BEFORE, ONE_ROAD), (ONE_ROAD, now)):
        print(
            f"\nlines added and removed in charterdesk/ (Python, no migrations), {first}..{last}:"
        )
        for package, (added, removed) in changed(first, last):
            print(f"  {package:28s} +{added:5d} -{removed:5d}")


def changed(first: str, last: str) -> list[tuple[str, tuple[int, int]]]:
    """Lines added and removed per package between two revisions (a rename counts as moved)."""
    per_package: dict[str, tuple[int, int]] = {}
    for line in git("diff", "-M", "--numstat", first, last, "--", "charterdesk").splitlines():
        added, removed, path = line.split("\t")
        if not path.endswith(".py") or "/migrations/" in path or added == "-":
            continue
        path = re.sub(r"\{[^{}]* => ([^{}]*)\}", r"\1", path).split(" => ")[-1]
        parts = path.replace("//", "/").split("/")
        package = "/".join(parts[1:3] if parts[1] == "channels" else parts[1:2])
        was = per_package.get(package, (0, 0))
        per_package[package] = (was[0] + int(added), was[1] + int(removed))
    return sorted(per_package.items(), key=lambda kv: -kv[1][0])


if __name__ == "__main__":
    main()
