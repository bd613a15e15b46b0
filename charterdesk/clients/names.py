"""A client's name as a greeting addresses it: the Latvian vocative (``Labdien, Jāni Ozol!``)."""

from __future__ import annotations

# Nominative ending → vocative ending of Latvian personal names, by declension:
# 2nd (-is: Jānis → Jāni), 3rd (-us: Ingus → Ingu), 1st (-s, -š: Ozols → Ozol, Bērziņš → Bērziņ);
# feminine names in -a, -e (Anna, Ilze, Bērziņa) keep their form.
_ENDINGS = (("is", "i"), ("us", "u"), ("s", ""), ("š", ""))


def vocative_word_lv(word: str) -> str:
    for ending, replacement in _ENDINGS:
        if word.endswith(ending) and len(word) > len(ending) + 1:
            return word[: -len(ending)] + replacement
    return word


def client_vocative(name: str, *, kind: str = "person", language: str = "lv") -> str:
    """``Jānis Ozols`` → ``Jāni Ozol``, ``Ilze Bērziņa`` → ``Ilze Bērziņa``; a company or unit's
    name, and every name in English, stays as written (a name is not guessed at beyond that)."""
    name = " ".join((name or "").split())
    if kind != "person" or not (language or "lv").startswith("lv"):
        return name
    return " ".join(vocative_word_lv(w) if w[:1].isupper() else w for w in name.split(" "))
