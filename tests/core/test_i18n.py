"""Spanish and English: catalogue completeness, language choice, localised numbers."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.test import Client
from django.utils import formats, translation

from cyberplan.core.choices import Role
from cyberplan.jobs.models import Job
from tests.conftest import World

PACKAGE = Path(__file__).resolve().parents[2] / "cyberplan"
CATALOGUE = PACKAGE / "locale" / "es" / "LC_MESSAGES" / "django.po"


@pytest.mark.slow
def test_every_user_facing_string_has_a_spanish_translation(tmp_path: Path) -> None:
    """Extract the strings from a copy of the source and merge them into a copy of the catalogue:
    anything new, untranslated or fuzzy fails the test with its text."""
    copy = tmp_path / "cyberplan"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "static"))
    result = subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "es", "--no-location", "--no-obsolete"],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    merged = polib.pofile(str(copy / "locale" / "es" / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in merged.untranslated_entries()] + [e.msgid for e in merged.fuzzy_entries()]
    assert not missing, f"{len(missing)} strings lack a Spanish translation (run `make messages`): {missing[:20]}"
    assert len(merged.translated_entries()) > 100


def test_catalogue_keeps_placeholders() -> None:
    import re

    placeholder = re.compile(r"%\(\w+\)s|\{\{\s*\w+\s*\}\}|%s|%d")
    catalogue = polib.pofile(str(CATALOGUE))
    for entry in catalogue.translated_entries():
        if entry.msgid_plural:
            continue
        assert sorted(placeholder.findall(entry.msgid)) == sorted(placeholder.findall(entry.msgstr)), entry.msgid


@pytest.mark.django_db
def test_browser_language_is_used_before_sign_in() -> None:
    client = Client()
    spanish = client.get("/login/", HTTP_ACCEPT_LANGUAGE="es-PY,es;q=0.9")
    english = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-GB")
    assert spanish["Content-Language"] == "es"
    assert english["Content-Language"] == "en"
    with translation.override("es"):
        sign_in = translation.gettext("Sign in")
    assert sign_in != "Sign in"
    assert f"<h1>{sign_in}</h1>" in spanish.content.decode()
    assert '<html lang="es">' in spanish.content.decode()


def test_saved_preference_wins_over_the_browser(world: World) -> None:
    user = world.users[Role.VIEWER]
    client = Client()
    client.force_login(user)
    response = client.post("/language/", {"language": "es", "next": "/gaps/"})
    assert response.status_code == 302
    assert response["Location"] == "/gaps/"
    user.refresh_from_db()
    assert user.language == "es"
    # A fresh session with an English browser still gets Spanish: the preference is the user's.
    other = Client()
    other.force_login(user)
    assert other.get("/gaps/", HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "es"


def test_language_switch_refuses_foreign_redirects_and_bad_codes(world: World) -> None:
    client = Client()
    client.force_login(world.users[Role.VIEWER])
    response = client.post("/language/", {"language": "es", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    response = client.post("/language/", {"language": "klingon", "next": "/"})
    assert response.status_code == 302
    world.users[Role.VIEWER].refresh_from_db()
    assert world.users[Role.VIEWER].language == "es"


def test_numbers_are_localised(world: World) -> None:
    job = Job.objects.create(kind="audit_export", organisation=world.org_a, progress_done=12345, progress_total=67890)
    client = Client()
    client.force_login(world.users[Role.ADMINISTRATOR])
    english = client.get(f"/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    spanish = client.get(f"/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "12,345" in english
    assert "67,890" in english
    # Spanish groups thousands with its own separator (a non-breaking space in Django's Spanish formats).
    with translation.override("es"):
        separator = formats.get_format("THOUSAND_SEPARATOR")
    assert separator != ","
    assert f"12{separator}345" in spanish
    assert f"67{separator}890" in spanish
