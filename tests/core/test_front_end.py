"""The layout as the server sends it: Bootstrap from our own origin, form controls with
Bootstrap's classes, and sections not built yet named in the navigation but not linked."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from cyberplan.core.choices import Role
from cyberplan.core.sections import SECTIONS
from tests.conftest import World


def signed_in(world: World, role: str = Role.COORDINATOR) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def tag(body: str, pattern: str) -> str:
    """The one opening tag of the page that matches ``pattern``."""
    found = re.findall(rf"<(?:input|select|textarea)\b[^>]*{pattern}[^>]*>", body)
    assert len(found) == 1, found
    return found[0]


def test_layout_loads_bootstrap_from_our_origin(world: World) -> None:
    body = signed_in(world).get(reverse("core:home")).content.decode()
    assert 'href="/static/vendor/bootstrap/bootstrap.min.css"' in body
    assert 'src="/static/vendor/bootstrap/bootstrap.bundle.min.js"' in body
    assert body.index("bootstrap.min.css") < body.index("cyberplan/cyberplan.css")  # ours refines Bootstrap
    assert "<script>" not in body and " style=" not in body


def test_form_controls_carry_bootstrap_classes_and_errors_mark_them(world: World) -> None:
    client = signed_in(world)
    body = client.get(reverse("gaps:gap_create")).content.decode()
    assert "form-control" in tag(body, 'name="title_en"')
    assert "form-select" in tag(body, 'name="severity"')
    assert "is-invalid" not in body

    body = client.post(reverse("gaps:gap_create"), {"title_en": ""}).content.decode()
    assert "is-invalid" in tag(body, 'name="title_en"')
    assert 'class="form-errors alert alert-danger"' in body


def test_built_sections_are_linked_and_sections_to_come_named_but_not_linked(world: World) -> None:
    client = signed_in(world)
    body = client.get(reverse("core:home")).content.decode()
    # Every section has pages now (the regional programme was the last to come); a section added before
    # its app is built is checked here again.
    coming = [s for s in SECTIONS if not s.url_name]
    for section in coming:
        placeholder = reverse("core:section", args=[section.slug])
        assert f'href="{placeholder}"' not in body
        assert re.search(rf'class="[^"]*nav-coming[^"]*">{re.escape(str(section.title))} <span', body), section.slug
        assert client.get(placeholder).status_code == 200  # old links still answer
    for section in SECTIONS:
        if section.url_name:
            assert f'href="{reverse(section.url_name)}"' in body
