"""The translation layer: every catalogue entry in German and English, no key defined twice, and every
key the code and the templates name exists."""

from __future__ import annotations

import re
from pathlib import Path

import machinery_network
from machinery_network.i18n import LANGUAGES, catalogue, catalogues

SRC = Path(machinery_network.__file__).parent
KEY = r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+"
# Literal keys handed to the translation functions, the template function ``_`` and the domain errors.
USES = (
    re.compile(rf"""(?<![\w.])(?:_|gettext_de|translate)\(\s*["']({KEY})["']\s*[,)]"""),
    re.compile(rf"""\b(?:Invalid|NotFound|Conflict|NotAllowed|NotAuthenticated|Unavailable|DomainError|"""
               rf"""[A-Z]\w*Error)\(\s*["']({KEY})["']\s*[,)]"""),
)


def test_every_entry_has_german_and_english():
    missing = [f"{domain}: {key} ({lang})" for domain, messages in catalogues().items()
               for key, entry in messages.items() for lang in LANGUAGES if not (entry.get(lang) or "").strip()]
    assert missing == []


def test_no_key_is_defined_twice():
    seen: dict[str, str] = {}
    twice = []
    for domain, messages in catalogues().items():
        for key in messages:
            if key in seen:
                twice.append(f"{key}: {seen[key]} and {domain}")
            seen[key] = domain
    assert twice == []


def test_every_key_used_exists():
    known = catalogue()
    used: dict[str, str] = {}
    for path in [*SRC.rglob("*.py"), *SRC.rglob("*.html")]:
        if "migrations" in path.parts:
            continue
        text = path.read_text()
        for pattern in USES:
            for key in pattern.findall(text):
                used.setdefault(key, str(path.relative_to(SRC)))
    assert len(used) > 100  # the scan finds the keys (a broken pattern would find none)
    unknown = sorted(f"{key} ({where})" for key, where in used.items() if key not in known)
    assert unknown == []
