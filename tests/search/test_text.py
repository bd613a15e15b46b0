"""Folding for search: the fast mark removal gives what testing every character would."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from charterdesk.search.text import _WORD, MAX_WORD, fold


def reference(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(w for w in _WORD.findall(stripped.casefold()) if len(w) <= MAX_WORD)


def test_latvian_names_fold_to_what_people_type():
    assert fold("Bērziņa, Ilze! ŅŪĶ ēģ") == "berzina ilze nuk eg"
    assert fold("ﬁ straße") == "fi strasse"
    assert fold("") == ""


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=60))
def test_fold_equals_testing_each_character(text):
    assert fold(text) == reference(text)


def test_marks_beyond_the_basic_plane_are_dropped_too():
    assert fold("a\U0001d165b") == reference("a\U0001d165b") == "ab"
