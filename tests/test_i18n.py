"""The English catalog: complete, compiled and used.

The source strings are Norwegian bokmål; locale/en/LC_MESSAGES/django.po holds the English
translation and django.mo (committed, so running the portal needs no gettext) its compiled form.
"""

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

LOCALE_DIR = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PO = LOCALE_DIR / "django.po"
MO = LOCALE_DIR / "django.mo"

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+"(.*)"\s*$')
_PLACEHOLDER = re.compile(r"%\([^)]+\)[sdifr]|%[sdifr]")


def _unescape(s: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), s)


def parse_po(path: Path) -> list[dict]:
    """The entries of a .po file: msgctxt, msgid, msgid_plural, msgstr ({index: text}; index None
    for a singular entry), flags and line. Obsolete (#~) entries are skipped."""
    entries: list[dict] = []
    for block_start, block in _blocks(path.read_text(encoding="utf-8")):
        entry = {"msgctxt": None, "msgid": None, "msgid_plural": None, "msgstr": {},
                 "flags": set(), "line": block_start}
        current = None
        for line in block:
            if line.startswith("#~"):
                entry = None
                break
            if line.startswith("#,"):
                entry["flags"].update(f.strip() for f in line[2:].split(",") if f.strip())
            elif line.startswith("#"):
                continue
            elif match := _KEYWORD.match(line):
                keyword, index, text = match.groups()
                text = _unescape(text)
                if keyword.startswith("msgstr"):
                    current = ("msgstr", int(index) if index is not None else None)
                    entry["msgstr"][current[1]] = text
                else:
                    current = (keyword, None)
                    entry[keyword] = text
            elif line.startswith('"') and current is not None:
                text = _unescape(line.strip()[1:-1])
                if current[0] == "msgstr":
                    entry["msgstr"][current[1]] += text
                else:
                    entry[current[0]] += text
            else:
                raise AssertionError(f"{path}:{block_start}: cannot parse {line!r}")
        if entry is not None and entry["msgid"] is not None:
            entries.append(entry)
    return entries


def _blocks(text: str):
    block, start = [], 1
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            if not block:
                start = number
            block.append(line)
        elif block:
            yield start, block
            block = []
    if block:
        yield start, block


@pytest.fixture(scope="module")
def po_entries():
    assert PO.exists(), f"{PO} is missing: run makemessages -l en"
    return parse_po(PO)


@pytest.fixture(scope="module")
def messages(po_entries):
    return [e for e in po_entries if e["msgid"] != ""]


def _where(entry):
    return f"{PO.name}:{entry['line']} {entry['msgid']!r}"


def test_catalog_is_not_empty(messages):
    assert len(messages) > 500


def test_header_is_not_fuzzy_and_says_english(po_entries):
    header = next(e for e in po_entries if e["msgid"] == "")
    assert "fuzzy" not in header["flags"]
    assert "Language: en\n" in header["msgstr"][None]
    assert "charset=UTF-8" in header["msgstr"][None]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header["msgstr"][None]


def test_every_message_is_translated(messages):
    untranslated = []
    for e in messages:
        if e["msgid_plural"] is not None:
            if sorted(e["msgstr"]) != [0, 1] or not all(e["msgstr"].values()):
                untranslated.append(_where(e))
        elif not e["msgstr"].get(None):
            untranslated.append(_where(e))
    assert not untranslated, "untranslated:\n" + "\n".join(untranslated)


def test_no_message_is_fuzzy(messages):
    fuzzy = [_where(e) for e in messages if "fuzzy" in e["flags"]]
    assert not fuzzy, "fuzzy:\n" + "\n".join(fuzzy)


def test_placeholders_are_kept(messages):
    wrong = []
    for e in messages:
        if "python-format" not in e["flags"]:
            continue
        for index, text in e["msgstr"].items():
            source = e["msgid_plural"] if index == 1 else e["msgid"]
            if set(_PLACEHOLDER.findall(text)) != set(_PLACEHOLDER.findall(source)):
                wrong.append(f"{_where(e)} -> {text!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_compiled_catalog_matches_po(messages):
    """django.mo holds exactly what django.po says: a stale .mo (strings added or changed after
    compilemessages) fails here."""
    assert MO.exists(), f"{MO} is missing: run compilemessages -l en"
    with MO.open("rb") as f:
        catalog = gettext.GNUTranslations(f)
    stale = []
    for e in messages:
        key = e["msgid"] if e["msgctxt"] is None else f"{e['msgctxt']}\x04{e['msgid']}"
        if e["msgid_plural"] is None:
            if catalog._catalog.get(key) != e["msgstr"][None]:
                stale.append(_where(e))
        else:
            for index, text in e["msgstr"].items():
                if catalog._catalog.get((key, index)) != text:
                    stale.append(f"{_where(e)}[{index}]")
    assert not stale, "django.mo is older than django.po; run compilemessages:\n" + "\n".join(stale)


@pytest.mark.parametrize(("norwegian", "english"), [
    ("Meld en feil", "Report an error"),
    ("Feilmeldinger", "Error reports"),
    ("Driftsmeldinger", "Notices"),
    ("Kontaktpunkter", "Contact points"),
    ("Bruksvilkår", "Terms of use"),
    ("Logg inn", "Log in"),
    ("Logg ut", "Log out"),
    ("Hopp til hovedinnhold", "Skip to main content"),
])
def test_key_strings_render_in_english(norwegian, english):
    with translation.override("en"):
        assert translation.gettext(norwegian) == english
    with translation.override("nb"):
        assert translation.gettext(norwegian) == norwegian


def test_placeholders_and_plurals_in_english():
    with translation.override("en"):
        assert translation.gettext("Hei, %(name)s") % {"name": "Kari"} == "Hello, Kari"
        assert (translation.ngettext("%(n)s virkedag", "%(n)s virkedager", 1) % {"n": 1}
                == "1 working day")
        assert (translation.ngettext("%(n)s virkedag", "%(n)s virkedager", 3) % {"n": 3}
                == "3 working days")


def test_login_page_in_english_after_switching_language(client, db):
    login_url = reverse("account_login")
    response = client.get(login_url)
    assert '<html lang="nb"' in response.content.decode()

    response = client.post(reverse("set_language"), {"language": "en", "next": login_url})
    assert response.status_code == 302
    assert response.url == login_url

    response = client.get(login_url)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en"' in html
    assert re.search(r"<h1[^>]*>\s*Log in\s*</h1>", html), html
    assert "You get access by invitation" in html
    assert "Logg inn" not in html
    assert "Skip to main content" in html


def test_login_page_in_norwegian_by_default(client, db):
    html = client.get(reverse("account_login")).content.decode()
    assert re.search(r"<h1[^>]*>\s*Logg inn\s*</h1>", html)


SOURCE_IGNORED = shutil.ignore_patterns(
    ".*", "node_modules", "var", "tests", "bench", "test-artifacts", "static", "__pycache__",
    "*.mo", "*.pyc")


def test_every_string_in_the_source_has_an_english_translation(tmp_path):
    """The checks above read the catalogue; this one reads the code. makemessages, run on a copy
    of the source with a copy of the catalogue, adds every string the code marks for translation:
    one it adds empty, or guesses (fuzzy), is shown in Norwegian to an English reader."""
    assert shutil.which("xgettext"), "gettext is not installed (make test installs it)"
    root = Path(settings.BASE_DIR)
    copy = tmp_path / "src"
    shutil.copytree(root, copy, ignore=SOURCE_IGNORED)
    (copy / "locale" / "en" / "LC_MESSAGES").mkdir(parents=True, exist_ok=True)
    shutil.copy(PO, copy / "locale" / "en" / "LC_MESSAGES" / "django.po")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(copy)}
    subprocess.run([sys.executable, "manage.py", "makemessages", "-l", "en", "-v", "0"],
                   cwd=copy, env=env, check=True, capture_output=True, timeout=300)
    made = parse_po(copy / "locale" / "en" / "LC_MESSAGES" / "django.po")
    missing = [_where(e) for e in made if e["msgid"] and (
        "fuzzy" in e["flags"] or not all(e["msgstr"].values()))]
    assert len(made) >= len(parse_po(PO)) - 50, "makemessages found far fewer strings"
    assert not missing, "no English translation in django.po for:\n" + "\n".join(missing)
