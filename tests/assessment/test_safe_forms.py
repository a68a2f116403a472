"""Safe assessment forms: answers start unanswered; the evidence form keeps only the chosen kind's fields."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cyberplan.assessment.models import Assessment
from cyberplan.core.choices import Role
from cyberplan.core.models import AuditEntry
from tests.conftest import World


def _client(world: World) -> Client:
    client = Client()
    client.force_login(world.users[Role.COORDINATOR])
    return client


def _answer_select(page: str, prefix: str) -> str:
    match = re.search(rf'<select name="{prefix}-value"[^>]*>(.*?)</select>', page, re.S)
    assert match, "the answer widget is on the page"
    return match.group(1)


def test_answer_widget_starts_on_the_empty_choice(world: World, make_assessment: Callable[..., Assessment]) -> None:
    assessment = make_assessment()
    answer = assessment.answers.get(indicator_id="1.1.S1")
    page = _client(world).get(reverse("assessment:factor_detail", args=[assessment.pk, "1.1"])).content.decode()
    options = re.findall(r"<option[^>]*>[^<]*</option>", _answer_select(page, f"a{answer.pk}"))
    assert options[0] == '<option value="" selected>— choose —</option>'
    assert not any("selected" in option for option in options[1:])


def test_untouched_answer_form_records_nothing(world: World, make_assessment: Callable[..., Assessment]) -> None:
    assessment = make_assessment()
    answer = assessment.answers.get(indicator_id="1.1.S1")
    before = AuditEntry.objects.count()
    p = f"a{answer.pk}"
    # What a browser sends for a form left as it was shown: the first option and an empty note.
    response = _client(world).post(
        reverse("assessment:answer", args=[assessment.pk, "1.1", answer.pk]),
        {f"{p}-value": "", f"{p}-note": "", f"{p}-version": 1},
    )
    assert response.status_code == 400
    assert "Choose an answer to 1.1.S1" in response.content.decode()
    answer.refresh_from_db()
    assert (answer.value, answer.version, answer.answered_by) == ("", 1, None)
    assert AuditEntry.objects.count() == before


def test_evidence_keeps_only_the_chosen_kinds_fields(world: World, make_assessment: Callable[..., Assessment]) -> None:
    assessment = make_assessment()
    client = _client(world)
    url = reverse("assessment:add_evidence", args=[assessment.pk, "1.1"])
    response = client.post(
        url,
        {
            "indicator": "1.1.S1",
            "kind": "url",
            "label": "Decree on the web",
            "url": "https://example.org/decree",
            "citation": "left over from another kind",
            "document": SimpleUploadedFile("left.pdf", b"%PDF-1.4 left over"),
            "note": "kept: a note goes with every kind",
        },
    )
    assert response.status_code == 302
    evidence = assessment.answers.get(indicator_id="1.1.S1").evidence.get()
    assert (evidence.kind, evidence.url, evidence.citation, bool(evidence.document)) == (
        "url",
        "https://example.org/decree",
        "",
        False,
    )
    assert evidence.note == "kept: a note goes with every kind"


def test_evidence_missing_field_of_the_kind_is_named(world: World, make_assessment: Callable[..., Assessment]) -> None:
    assessment = make_assessment()
    response = _client(world).post(
        reverse("assessment:add_evidence", args=[assessment.pk, "1.1"]),
        {"indicator": "1.1.S1", "kind": "citation", "label": "Law", "url": "https://example.org/not-this-kind"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_citation_error"' in body
    assert "Give the citation" in body
    assert not assessment.answers.get(indicator_id="1.1.S1").evidence.exists()
    # Without JavaScript every field is there; each says which kinds it belongs to, for the script that hides the rest.
    assert 'data-evidence-kinds="citation"' in body
    assert "evidence-kind.js" in body
