"""Words a person reads about the sharing network: why a partner's object was refused and why the last pull
failed, on the collection's and the subscription's pages. The product's own reasons are translated for the
reader; stix2-validator's and the partner's text follows a translated lead-in, marked as English. What travels
over TAXII is not changed."""

from __future__ import annotations

import html
import re
import socket
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from cyberplan.core.choices import Role
from cyberplan.sharing.choices import PullState
from cyberplan.sharing.client import do_pull
from cyberplan.sharing.models import Subscription
from cyberplan.sharing.wording import explain_pull_error, explain_refusal
from tests.conftest import World
from tests.sharing.conftest import Net, indicator

pytestmark = pytest.mark.django_db

Taxii = Callable[..., Any]


def signed_in(user: Any, language: str = "en") -> Client:
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def in_language(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def _post_a_bad_envelope(taxii: Taxii, net: Net) -> dict[str, Any]:
    missing_pattern = indicator(1)
    del missing_pattern["pattern"]
    envelope = {"objects": [indicator(2), missing_pattern, indicator(3, tlp="red"), "not an object"]}
    response = taxii("POST", f"/taxii2/api/collections/{net.collection.pk}/objects/", net.member_key, envelope)
    assert response.status_code == 202
    body: dict[str, Any] = response.json()
    return body


def test_refusals_are_explained_in_the_readers_language_and_the_wire_is_unchanged(
    taxii: Taxii, net: Net, world: World
) -> None:
    status = _post_a_bad_envelope(taxii, net)
    # The status resource keeps the reasons as they were written: the product's in English, the validator's.
    reasons = {failure["id"]: failure["message"] for failure in status["failures"]}
    assert status["success_count"] == 1 and status["failure_count"] == 3
    assert reasons[indicator(3)["id"]] == "red may not be shared in this collection"
    assert reasons[""] == "not a JSON object"
    validator_text = reasons[indicator(1)["id"]]
    assert "pattern" in validator_text

    page = signed_in(world.users[Role.COORDINATOR], "es").get(f"/sharing/collections/{net.collection.pk}/")
    text = html.unescape(page.content.decode())
    assert '<html lang="es"' in text
    lead = in_language("es", "The partner's object was refused:")
    refusals = re.findall(r'<li class="refusal">(.*?)</li>', text, re.DOTALL)
    assert len(refusals) == 3 and all(item.startswith(lead) for item in refusals)
    spanish = in_language("es", "%(label)s may not be shared in this collection") % {"label": "TLP:RED"}
    assert spanish != "TLP:RED may not be shared in this collection", "the catalogue translates the refusal"
    assert spanish in text and in_language("es", "not a JSON object") in text
    assert "red may not be shared in this collection" not in text
    # The validator's own words follow the lead-in as they came, marked as English for assistive technology.
    assert f'<span class="refusal-reason" lang="en">{validator_text}</span>' in text


def test_a_reader_sees_the_envelopes_but_not_what_was_refused(taxii: Taxii, net: Net, world: World) -> None:
    _post_a_bad_envelope(taxii, net)
    text = signed_in(world.users[Role.VIEWER]).get(f"/sharing/collections/{net.collection.pk}/").content.decode()
    assert 'class="table table-sm envelopes"' in text and net.member_key[0].holder.name in text
    assert 'class="refusal"' not in text and "may not be shared" not in text


def test_explain_refusal_recognises_the_reason_in_the_language_it_was_written() -> None:
    with translation.override("es"):
        written = translation.gettext("%(label)s may not be shared in this collection") % {"label": "amber"}
    with translation.override("en"):
        explained = explain_refusal({"id": "indicator--x", "message": written})
    assert explained.detail == "TLP:AMBER may not be shared in this collection" and explained.detail_lang == ""
    foreign = explain_refusal({"message": "pattern: Pattern failed to validate"})
    assert foreign.detail == "pattern: Pattern failed to validate" and foreign.detail_lang == "en"


def _dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("worker_language", ["en", "es"])
def test_a_failed_pull_is_explained_after_a_translated_lead_in(world: World, worker_language: str) -> None:
    subscription = Subscription.objects.create(
        organisation=world.org_a,
        name="Partner",
        api_root_url=f"http://127.0.0.1:{_dead_port()}/api1/",
        collection_id="91a7b528-80eb-42ed-a74d-c6fbd5a26116",
    )
    with translation.override(worker_language):  # the worker writes the error in its own language
        assert do_pull(None, subscription, timeout=5).state == PullState.UNREACHABLE
    subscription.refresh_from_db()
    explained = explain_pull_error(subscription)
    assert explained is not None and explained.detail_lang == "en"
    # The library's text alone, without the sentence the pull wrapped it in.
    assert explained.detail and explained.detail in subscription.last_error
    assert not explained.detail.startswith(("The partner", "No se pudo")) and not explained.detail.endswith(").")

    for language in ("en", "es"):
        page = signed_in(world.users[Role.COORDINATOR], language).get(f"/sharing/subscriptions/{subscription.pk}/")
        text = html.unescape(page.content.decode())
        assert f'<html lang="{language}"' in text
        lead = in_language(language, "The partner server could not be reached:")
        expected = f'{lead} <span class="pull-error-detail" lang="en">{explained.detail}</span>'
        assert expected in text


def test_an_error_the_pages_do_not_recognise_is_shown_whole_after_the_lead_in(world: World) -> None:
    subscription = Subscription.objects.create(
        organisation=world.org_a,
        name="Partner",
        api_root_url="http://127.0.0.1:9/api1/",
        collection_id="x",
        last_state=PullState.IMPORT_FAILED,
        last_error="The STIX bundle is not valid JSON: line 1",
    )
    explained = explain_pull_error(subscription)
    assert explained is not None
    assert explained.lead == "The objects arrived, but the import failed:"
    assert explained.detail == "The STIX bundle is not valid JSON: line 1"
    subscription.last_error = ""
    assert explain_pull_error(subscription) is None
