"""Chinese first: every message in the code and templates has its zh-hans translation, so no
English leaks into the Chinese interface; English stays available through Django's i18n."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "childfirst"
CATALOGUE = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def statistics(po: Path) -> str:
    done = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", os.devnull, str(po)], capture_output=True, text=True, check=True
    )
    return done.stderr.strip()


def test_committed_catalogue_is_complete():
    report = statistics(CATALOGUE)
    assert "untranslated" not in report and "fuzzy" not in report, report


def test_every_message_in_the_code_is_in_the_catalogue(tmp_path):
    """Regenerate the catalogue from a copy of the sources: nothing may come out new or fuzzy."""
    copy = tmp_path / "childfirst"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "vendor"))
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", "--no-obsolete", "--ignore=static"],
        cwd=copy,
        env=env,
        capture_output=True,
        check=True,
    )
    report = statistics(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    assert "untranslated" not in report and "fuzzy" not in report, f"run makemessages and translate: {report}"


@pytest.mark.django_db
def test_pages_default_to_chinese_and_switch_to_english(client, users):
    client.force_login(users.office)
    chinese = client.get("/").content.decode()
    assert "首页" in chinese and "规划目录" in chinese
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/").content.decode()
    assert "Home" in english and "Plan catalogue" in english and "首页" not in english


@pytest.mark.django_db
def test_an_english_browser_still_gets_chinese_until_switching(client, users):
    client.force_login(users.leader)
    page = client.get("/", headers={"accept-language": "en-US,en;q=0.9"}).content.decode()
    assert '<html lang="zh-hans">' in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/").content.decode()
