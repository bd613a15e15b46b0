"""Django merges the apps' catalogs at run time and the first app in INSTALLED_APPS wins, so the
same English text translated two ways in two apps shows one app's words in the other's screens
(the desk's "Phone" label once read "Tālr.", the outbox's signature abbreviation).  The same
text (and context) must therefore have one Latvian translation across the project; a text that
needs different words takes a context (``pgettext``)."""

from __future__ import annotations

import gettext
from collections import defaultdict
from pathlib import Path

import charterdesk

ROOT = Path(charterdesk.__file__).resolve().parent


def test_one_latvian_translation_per_text_across_apps():
    catalogs = sorted(ROOT.glob("**/locale/lv/LC_MESSAGES/django.mo"))
    assert len(catalogs) >= 8, catalogs  # every app with texts has its catalog
    seen: dict[str, dict[str, str]] = defaultdict(dict)
    for path in catalogs:
        with path.open("rb") as handle:
            catalog = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
        app = str(path.relative_to(ROOT)).split("/locale/")[0]
        for key, text in catalog.items():
            if isinstance(key, str) and key:  # singular texts (plural keys are tuples)
                seen[key][app] = text
    clashes = {k: v for k, v in seen.items() if len(set(v.values())) > 1}
    assert clashes == {}
