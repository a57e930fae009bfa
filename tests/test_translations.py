"""The Chinese interface is complete: every string of the catalogue has a reviewed translation."""

import re
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parents[1] / "observatory" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _entries(text: str) -> list[dict]:
    """The catalogue's entries: flags, msgid and every msgstr (plural forms included), joined."""
    entries = []
    for block in re.split(r"\n\s*\n", text):
        entry = {"flags": set(), "msgid": None, "msgstr": []}
        current = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith("msgid "):
                entry["msgid"] = line[6:].strip()[1:-1]
                current = "msgid"
            elif line.startswith("msgid_plural "):
                current = None
            elif line.startswith("msgstr"):
                entry["msgstr"].append(line.split(" ", 1)[1].strip()[1:-1])
                current = "msgstr"
            elif line.startswith('"') and current == "msgid":
                entry["msgid"] += line.strip()[1:-1]
            elif line.startswith('"') and current == "msgstr":
                entry["msgstr"][-1] += line.strip()[1:-1]
        if entry["msgid"] is not None:
            entries.append(entry)
    return entries


def test_it_has_a_translation_for_every_string_and_none_is_fuzzy():
    entries = [entry for entry in _entries(CATALOGUE.read_text(encoding="utf-8")) if entry["msgid"]]
    assert len(entries) > 100
    empty = [entry["msgid"] for entry in entries if not all(entry["msgstr"])]
    fuzzy = [entry["msgid"] for entry in entries if "fuzzy" in entry["flags"]]
    assert empty == [], f"untranslated in {CATALOGUE.name}: {empty[:20]}"
    assert fuzzy == [], f"fuzzy (unreviewed) in {CATALOGUE.name}: {fuzzy[:20]}"


def test_the_compiled_catalogue_has_every_translation_of_its_source():
    import gettext

    with CATALOGUE.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    singular = [entry for entry in _entries(CATALOGUE.read_text(encoding="utf-8"))
                if entry["msgid"] and len(entry["msgstr"]) == 1 and "fuzzy" not in entry["flags"]]
    stale = [entry["msgid"] for entry in singular
             if compiled.gettext(entry["msgid"].encode().decode("unicode_escape").encode("latin-1").decode())
             != entry["msgstr"][0].encode().decode("unicode_escape").encode("latin-1").decode()]
    assert stale == [], ("the .mo is older than the .po; run: DEBUG=true .venv/bin/python manage.py "
                         f"compilemessages -l zh_Hans --ignore=.venv  ({stale[:5]})")
