"""Every response carries the Content-Security-Policy, and no template served to a browser has an
inline script, style or event handler that the policy would refuse. (PDFs are Typst templates, .typ
files, not HTML: every .html template is served to a browser.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import childfirst

ROOT = Path(childfirst.__file__).resolve().parent
INLINE = [
    re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
    re.compile(r"<style\b", re.I),
    re.compile(r"\sstyle=", re.I),
    re.compile(r"\son[a-z]+=", re.I),
    re.compile(r"\shx-on", re.I),
    re.compile(r"javascript:", re.I),
]


@pytest.mark.django_db
def test_every_response_carries_the_policy(client):
    for url in ["/accounts/login/", "/open/", "/healthz"]:
        policy = client.get(url).headers.get("Content-Security-Policy", "")
        assert "script-src 'self'" in policy and "style-src 'self'" in policy and "'unsafe-inline'" not in policy


def test_no_template_has_inline_script_or_style():
    found = []
    for template in ROOT.glob("**/templates/**/*.html"):
        relative = template.relative_to(ROOT).as_posix()
        text = template.read_text()
        found += [f"{relative}: {m.group(0)}" for pattern in INLINE for m in pattern.finditer(text)]
    assert not found, found
