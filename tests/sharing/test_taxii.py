"""The TAXII 2.1 server through Django's test client: resources, filters, paging, writes and every error the
specification names for bad input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cyberplan.core.models import AuditEntry
from cyberplan.sharing.actions import add_objects, do_revoke_credential, do_rotate_credential, do_set_member
from cyberplan.sharing.models import Release, SharedObject
from tests.sharing.conftest import TAXII, Net, indicator

pytestmark = pytest.mark.django_db

Taxii = Callable[..., Any]


def objects_url(net: Net) -> str:
    return f"/taxii2/api/collections/{net.collection.pk}/objects/"


def post(taxii: Taxii, net: Net, objects: list[dict[str, Any]], key: Any = None) -> Any:
    return taxii("POST", objects_url(net), key or net.member_key, {"objects": objects})


def test_discovery_api_root_and_collections(taxii: Taxii, net: Net) -> None:
    response = taxii("GET", "/taxii2/", net.member_key)
    assert response.status_code == 200
    assert response["Content-Type"] == TAXII
    root = response.json()["api_roots"][0]
    assert root.endswith("/taxii2/api/")
    api = taxii("GET", "/taxii2/api/", net.member_key).json()
    assert api["versions"] == [TAXII] and api["max_content_length"] > 0
    listed = taxii("GET", "/taxii2/api/collections/", net.member_key).json()["collections"]
    assert [(c["id"], c["can_read"], c["can_write"]) for c in listed] == [(str(net.collection.pk), True, True)]


def test_an_outsider_does_not_see_the_collection(taxii: Taxii, net: Net) -> None:
    assert taxii("GET", "/taxii2/api/collections/", net.outsider_key).json() == {}
    assert taxii("GET", objects_url(net), net.outsider_key).status_code == 404


def test_post_then_read_back_with_headers_and_status(taxii: Taxii, net: Net) -> None:
    response = post(taxii, net, [indicator(1), indicator(2)])
    assert response.status_code == 202
    status = response.json()
    assert (status["status"], status["success_count"], status["failure_count"]) == ("complete", 2, 0)
    again = taxii("GET", f"/taxii2/api/status/{status['id']}/", net.member_key).json()
    assert again["id"] == status["id"] and again["total_count"] == 2
    page = taxii("GET", objects_url(net), net.member_key)
    assert [o["id"] for o in page.json()["objects"]] == [indicator(1)["id"], indicator(2)["id"]]
    assert page["X-TAXII-Date-Added-First"] < page["X-TAXII-Date-Added-Last"]


def test_keyset_paging_walks_every_object_once(taxii: Taxii, net: Net) -> None:
    post(taxii, net, [indicator(n) for n in range(7)])
    seen: list[str] = []
    url = objects_url(net) + "?limit=3"
    for _ in range(5):
        body = taxii("GET", url, net.member_key).json()
        seen += [o["id"] for o in body.get("objects", [])]
        if not body["more"]:
            break
        url = objects_url(net) + f"?limit=3&next={body['next']}"
    assert seen == [indicator(n)["id"] for n in range(7)]


def test_versions_match_version_manifest_and_added_after(taxii: Taxii, net: Net) -> None:
    post(taxii, net, [indicator(1), indicator(1, modified="2026-02-01T00:00:00.000Z")])
    object_url = objects_url(net) + indicator(1)["id"] + "/"
    assert taxii("GET", object_url + "versions/", net.member_key).json()["versions"] == [
        "2026-01-01T00:00:00.000Z",
        "2026-02-01T00:00:00.000Z",
    ]
    last = taxii("GET", object_url, net.member_key).json()["objects"]
    assert [o["modified"] for o in last] == ["2026-02-01T00:00:00.000Z"]
    first = taxii("GET", object_url + "?match[version]=first", net.member_key).json()["objects"]
    assert [o["modified"] for o in first] == ["2026-01-01T00:00:00.000Z"]
    every = taxii("GET", objects_url(net) + "?match[version]=all", net.member_key).json()["objects"]
    assert len(every) == 2
    manifest = taxii("GET", f"/taxii2/api/collections/{net.collection.pk}/manifest/", net.member_key)
    assert [m["version"] for m in manifest.json()["objects"]] == ["2026-02-01T00:00:00.000Z"]
    added = manifest.json()["objects"][0]["date_added"]
    assert taxii("GET", objects_url(net) + f"?added_after={added}", net.member_key).json() == {"more": False}
    typed = taxii("GET", objects_url(net) + "?match[type]=malware", net.member_key).json()
    assert "objects" not in typed


def test_duplicate_id_and_version_is_a_success_that_changes_nothing(taxii: Taxii, net: Net) -> None:
    post(taxii, net, [indicator(1)])
    status = post(taxii, net, [indicator(1), indicator(1, modified="2026-03-01T00:00:00.000Z")]).json()
    assert (status["success_count"], status["failure_count"]) == (2, 0)
    assert SharedObject.objects.filter(stix_id=indicator(1)["id"]).count() == 2


def test_invalid_stix_fails_in_the_status_and_stores_nothing_of_it(taxii: Taxii, net: Net) -> None:
    bad = indicator(3)
    bad["pattern"] = "[ipv4-addr:value = "
    status = post(taxii, net, [indicator(1), bad, "not an object"]).json()
    assert (status["success_count"], status["failure_count"]) == (1, 2)
    failure = next(f for f in status["failures"] if f["id"] == bad["id"])
    assert "pattern" in failure["message"]
    assert any(f["message"] == "not a JSON object" for f in status["failures"])
    assert not SharedObject.objects.filter(stix_id=bad["id"]).exists()


def test_red_is_refused_in_the_collection(taxii: Taxii, net: Net) -> None:
    status = post(taxii, net, [indicator(1, tlp="red")]).json()
    assert status["failure_count"] == 1 and not SharedObject.objects.exists()


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"HTTP_ACCEPT": "application/json"}, 406),
        ({"HTTP_ACCEPT": "application/taxii+json;version=2.0"}, 406),
        ({"CONTENT_TYPE": "application/json"}, 415),
        ({"CONTENT_TYPE": "application/stix+json;version=2.1"}, 415),
    ],
)
def test_wrong_media_types(taxii: Taxii, net: Net, headers: dict[str, str], expected: int) -> None:
    response = taxii("POST", objects_url(net), net.member_key, {"objects": [indicator(1)]}, **headers)
    assert response.status_code == expected
    assert response.json()["http_status"] == str(expected)
    assert not SharedObject.objects.exists()


def test_oversized_envelope_is_413(taxii: Taxii, net: Net, settings: Any) -> None:
    settings.CYBERPLAN_TAXII_MAX_CONTENT_LENGTH = 1000
    assert taxii("GET", "/taxii2/api/", net.member_key).json()["max_content_length"] == 1000
    response = post(taxii, net, [indicator(n) for n in range(10)])
    assert response.status_code == 413 and response["Content-Type"] == TAXII
    assert not SharedObject.objects.exists()


def test_malformed_envelope_is_400(taxii: Taxii, net: Net) -> None:
    assert taxii("POST", objects_url(net), net.member_key, "{not json").status_code == 400
    assert taxii("POST", objects_url(net), net.member_key, {"objects": "x"}).status_code == 400


@pytest.mark.parametrize("query", ["limit=0", "limit=x", "added_after=yesterday", "next=bogus", "match[version]=soon"])
def test_bad_parameters_are_400(taxii: Taxii, net: Net, query: str) -> None:
    response = taxii("GET", objects_url(net) + "?" + query, net.member_key)
    assert response.status_code == 400 and response.json()["http_status"] == "400"


def test_bad_missing_rotated_and_revoked_credentials_are_401(taxii: Taxii, net: Net) -> None:
    credential, secret = net.member_key
    assert taxii("GET", "/taxii2/", None).status_code == 401
    wrong = taxii("GET", "/taxii2/", (credential, "wrong"))
    assert wrong.status_code == 401 and wrong["WWW-Authenticate"].startswith("Basic")
    new_secret = do_rotate_credential(None, credential)
    assert taxii("GET", "/taxii2/", (credential, secret)).status_code == 401
    assert taxii("GET", "/taxii2/", (credential, new_secret)).status_code == 200
    do_revoke_credential(None, credential)
    assert taxii("GET", "/taxii2/", (credential, new_secret)).status_code == 401


def test_read_only_member_may_not_write_or_delete(taxii: Taxii, net: Net, world: Any) -> None:
    do_set_member(None, net.group, world.org_b, can_read=True, can_write=False)
    assert post(taxii, net, [indicator(1)]).status_code == 403
    post(taxii, net, [indicator(1)], key=net.owner_key)
    url = objects_url(net) + indicator(1)["id"] + "/"
    assert taxii("DELETE", url, net.member_key).status_code == 403
    assert taxii("DELETE", url, net.owner_key).status_code == 200
    assert taxii("GET", url, net.owner_key).status_code == 404


def test_release_rule_applies_and_each_response_is_audited_once(taxii: Taxii, net: Net, world: Any) -> None:
    labels = ["clear", "green", "amber", "amber+strict"]
    add_objects(
        net.collection,
        [indicator(n, tlp=label) for n, label in enumerate(labels)],
        owner=world.org_a,
        default_tlp="green",
    )
    got = {o["id"] for o in taxii("GET", objects_url(net), net.member_key).json()["objects"]}
    assert got == {indicator(0)["id"], indicator(1)["id"]}  # B does not need to know: no AMBER
    do_set_member(None, net.group, world.org_b, can_read=True, can_write=True, need_to_know=True)
    got = {o["id"] for o in taxii("GET", objects_url(net), net.member_key).json()["objects"]}
    assert got == {indicator(n)["id"] for n in range(3)}  # AMBER now, AMBER+STRICT never
    owner = {o["id"] for o in taxii("GET", objects_url(net), net.owner_key).json()["objects"]}
    assert owner == {indicator(n)["id"] for n in range(3)}  # the group's ceiling (AMBER) holds even for the owner
    release = Release.objects.filter(recipient=world.org_b).order_by("-pk").first()
    assert release is not None and release.counts == {"clear": 1, "green": 1, "amber": 1}
    assert AuditEntry.objects.filter(object_id=str(release.pk), content_type__model="release").count() == 1


def test_open_collection_gives_an_outsider_clear_only(taxii: Taxii, net: Net, world: Any) -> None:
    net.collection.open_to_all_partners = True
    net.collection.save()
    add_objects(
        net.collection, [indicator(0, tlp="clear"), indicator(1, tlp="green")], owner=world.org_a, default_tlp="green"
    )
    got = [o["id"] for o in taxii("GET", objects_url(net), net.outsider_key).json()["objects"]]
    assert got == [indicator(0)["id"]]
    assert post(taxii, net, [indicator(5)], key=net.outsider_key).status_code == 403


def test_an_api_key_header_works_like_basic(taxii: Taxii, net: Net) -> None:
    credential, secret = net.member_key
    good = taxii("GET", "/taxii2/", None, HTTP_AUTHORIZATION=f"Bearer {credential.pk}:{secret}")
    assert good.status_code == 200
    bad = taxii("GET", "/taxii2/", None, HTTP_AUTHORIZATION=f"Bearer {credential.pk}:nope")
    assert bad.status_code == 401
    assert taxii("GET", "/taxii2/", None, HTTP_AUTHORIZATION="Basic !!!").status_code == 401


def test_paged_objects_are_the_posted_json_and_a_page_costs_the_same_queries_at_any_size(
    taxii: Taxii, net: Net, django_assert_max_num_queries: Any
) -> None:
    sent = [indicator(n) for n in range(9)]
    sent[4]["description"] = 'Ünïcode, "quotes", </script> and \\ back'
    post(taxii, net, sent)
    body = taxii("GET", objects_url(net) + "?limit=2", net.member_key).json()
    assert body["objects"] == sent[:2] and body["more"] is True
    assert taxii("GET", objects_url(net), net.member_key).json()["objects"] == sent
    one = taxii("GET", f"{objects_url(net)}{sent[4]['id']}/", net.member_key).json()
    assert one["objects"] == [sent[4]]
    # Each page: credential, collection, membership, the page, the release and its audit entry.
    for limit in (1, 9):
        with django_assert_max_num_queries(8):
            taxii("GET", objects_url(net) + f"?limit={limit}", net.member_key)
