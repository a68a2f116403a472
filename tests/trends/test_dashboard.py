"""The threat trends dashboard and its API: access and TLP, filters, drill-down, gaps, no data, escaping.

Every test writes a small event store with hand-countable events for Authority A:

=========  =======================  ==============  ===========  =====  =====================
month      class / type             sector          TLP          count  other
=========  =======================  ==============  ===========  =====  =====================
2026-09    availability / ddos      finance         amber        10
2026-10    availability / ddos      finance         amber        60     AS64500
2026-10    vulnerable / vuln.-sys.  health          green        5      AS64501, hostile names
2026-10    fraud / phishing         government      red          3
2026-10    vulnerable / vuln.-sys.  (none)          amber        2      no country
2026-11    fraud / phishing         government      red          1
=========  =======================  ==============  ===========  =====  =====================
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pytest_django import Settings
from rest_framework.test import APIClient

from cyberplan.analytics.metrics import Scope
from cyberplan.analytics.periods import parse_period
from cyberplan.core.choices import Role
from cyberplan.core.models import AuditEntry, User
from cyberplan.gaps.choices import EvidenceKind, GapSource
from cyberplan.gaps.models import Gap
from cyberplan.reports.svg import safe_svg
from cyberplan.threats.actions import do_grant_store_access
from cyberplan.threats.store import event_store
from cyberplan.trends import charts
from cyberplan.trends.figures import figures, store_state, warm
from tests.analytics.support import event, write_store
from tests.conftest import World

# Slow tests: make test-fast leaves them out (see docs/development/testing.md).
pytestmark = pytest.mark.slow

HOSTILE_AS = "<script>alert(1)</script>"
HOSTILE_ORG = '<img src=x onerror="alert(2)">'


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, settings: Settings) -> None:
    """Own event stores and an own in-memory cache for every test."""
    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "events"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(tmp_path)}
    }


def sample_events() -> list[dict[str, Any]]:
    rows = []
    rows += [
        event(f"2026-09-{1 + i % 28:02d}T10:00:00", ip=f"198.51.100.{i}", taxonomy="availability", type_="ddos",
              identifier="ddos", sector="finance", feed="ddos_feed", tlp="amber")
        for i in range(10)
    ]  # fmt: skip
    rows += [
        event(f"2026-10-{1 + i % 31:02d}T10:00:00", ip=f"198.51.100.{i}", taxonomy="availability", type_="ddos",
              identifier="ddos", sector="finance", asn=64500, as_name="AS-FINANCE", network="192.0.2.0/24",
              organisation="Bank One", feed="ddos_feed", tlp="amber")
        for i in range(60)
    ]  # fmt: skip
    rows += [
        event(f"2026-10-{10 + i:02d}T08:00:00", ip=f"203.0.113.{i}", sector="health", asn=64501,
              as_name=HOSTILE_AS, organisation=HOSTILE_ORG, tlp="green")
        for i in range(5)
    ]  # fmt: skip
    rows += [
        event("2026-10-20T12:00:00", ip=f"192.0.2.{i}", taxonomy="fraud", type_="phishing", identifier="phishing",
              sector="government", feed="phish_feed", tlp="red")
        for i in range(3)
    ]  # fmt: skip
    rows += [event("2026-10-25T12:00:00", ip=f"192.0.2.{50 + i}", country=None, tlp="amber") for i in range(2)]
    rows += [
        event("2026-11-02T12:00:00", ip="192.0.2.99", taxonomy="fraud", type_="phishing", sector="government",
              tlp="red")
    ]  # fmt: skip
    return rows


@pytest.fixture
def store(world: World) -> Path:
    root = event_store(world.org_a).root
    write_store(root, sample_events())
    return root


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(user: User, **query: Any) -> tuple[int, str]:
    response = signed_in(user).get(reverse("trends:dashboard"), query)
    return response.status_code, response.content.decode()


def key_figure(html: str, label: str) -> str:
    match = re.search(rf"<dt>{re.escape(label)}</dt>\s*<dd>([^<]*)</dd>", html)
    assert match, f"no key figure {label!r}"
    return match.group(1).strip()


def links_to_events(html: str) -> list[str]:
    return [link.replace("&amp;", "&") for link in re.findall(r'href="(/threats/events/\?[^"]+)"', html)]


# -- access and TLP -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "events"),
    [
        (Role.ADMINISTRATOR, "70"),
        (Role.COORDINATOR, "70"),
        (Role.ANALYST, "67"),
        (Role.CONTRIBUTOR, "67"),
        (Role.VIEWER, "67"),
        (Role.EXTERNAL_PARTNER, "5"),
    ],
)
def test_each_role_counts_only_the_events_it_may_read(world: World, store: Path, role: str, events: str) -> None:
    status, html = page(world.users[role], organisation=world.org_a.pk, period="2026-10")
    assert status == 200
    assert key_figure(html, "Events") == events


def test_the_api_applies_the_same_tlp_rules(world: World, store: Path) -> None:
    api = APIClient()
    expected = {Role.COORDINATOR: 70, Role.ANALYST: 67, Role.EXTERNAL_PARTNER: 5}
    for role, events in expected.items():
        api.force_authenticate(world.users[role])
        response = api.get("/api/trends/metrics/", {"organisation": world.org_a.pk, "period": "2026-10"})
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["metrics"]["totals"]["rows"][0]["events"] == events
        assert "red" not in body["scope"]["tlp"] or role == Role.COORDINATOR
    api.force_authenticate(world.users[Role.EXTERNAL_PARTNER])
    body = api.get("/api/trends/metrics/", {"organisation": world.org_a.pk, "period": "2026-10"}).json()
    assert body["scope"]["tlp"] == ["clear", "green"]
    # Asking for more than one may read gives no more.
    body = api.get("/api/trends/metrics/", {"organisation": world.org_a.pk, "period": "2026-10", "tlp": "red"}).json()
    assert body["metrics"]["totals"]["rows"][0]["events"] == 5


def test_non_members_get_404_and_anonymous_users_sign_in(world: World, store: Path) -> None:
    for user in (world.outsider, world.nobody):
        assert page(user, organisation=world.org_a.pk)[0] == 404
        api = APIClient()
        api.force_authenticate(user)
        assert api.get("/api/trends/metrics/", {"organisation": world.org_a.pk}).status_code == 404
    assert page(world.users[Role.VIEWER], organisation="not-a-number")[0] == 404
    response = Client().get(reverse("trends:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert APIClient().get("/api/trends/metrics/", {"organisation": world.org_a.pk}).status_code in (401, 403)


def test_a_user_without_membership_is_told_so(world: World) -> None:
    status, html = page(world.nobody)
    assert status == 200
    assert "You are not a member of any organisation" in html


# -- periods and filters --------------------------------------------------------------------------


def test_the_default_period_is_the_latest_month_the_user_may_read(world: World, store: Path) -> None:
    _status, html = page(world.users[Role.COORDINATOR])
    assert "2026-11" in html and "(the latest month with events)" in html
    assert key_figure(html, "Events") == "1"
    # The only November event is TLP:RED: an analyst's latest month is October.
    _status, html = page(world.users[Role.ANALYST])
    assert "· 2026-10" in html
    assert key_figure(html, "Events") == "67"
    api = APIClient()
    api.force_authenticate(world.users[Role.ANALYST])
    body = api.get("/api/trends/metrics/", {"organisation": world.org_a.pk}).json()
    assert body["period"] == {
        "label": "2026-10",
        "start": "2026-10-01",
        "end": "2026-11-01",
        "previous": "2026-09",
        "year_earlier": "2025-10",
    }


def test_filters_narrow_the_figures(world: World, store: Path) -> None:
    coordinator = world.users[Role.COORDINATOR]
    org = world.org_a.pk
    assert key_figure(page(coordinator, organisation=org, period="2026-10", sector="finance")[1], "Events") == "60"
    assert key_figure(page(coordinator, organisation=org, period="2026-10", taxonomy="fraud")[1], "Events") == "3"
    assert key_figure(page(coordinator, organisation=org, period="2026-10", tlp="green")[1], "Events") == "5"
    assert key_figure(page(coordinator, organisation=org, period="2026-Q4")[1], "Events") == "71"
    assert key_figure(page(coordinator, organisation=org, period="2026-09-05..2026-10-31")[1], "Events") == "76"
    unknown = page(coordinator, organisation=org, period="2026-10", sector="unknown")[1]
    assert key_figure(unknown, "Events") == "2"
    assert "Unknown sector" in unknown
    no_country = page(coordinator, organisation=org, period="2026-10", country="unknown")[1]
    assert key_figure(no_country, "Events") == "2"
    api = APIClient()
    api.force_authenticate(coordinator)
    body = api.get(
        "/api/trends/metrics/",
        {"organisation": org, "period": "2026-10", "sector": "finance", "taxonomy": "availability"},
    ).json()
    assert body["metrics"]["totals"]["rows"][0]["events"] == 60
    assert body["scope"]["sectors"] == ["finance"]
    assert body["scope"]["taxonomies"] == ["availability"]


def test_bad_filters_are_refused_with_a_reason(world: World, store: Path) -> None:
    viewer = world.users[Role.VIEWER]
    status, html = page(viewer, organisation=world.org_a.pk, period="last summer")
    assert status == 400
    assert "This is not a period" in html
    status, html = page(viewer, organisation=world.org_a.pk, period="2026-10", tlp="red")
    assert status == 200  # a link from someone who reads RED counts what the viewer may read, no more
    assert key_figure(html, "Events") == "67"
    assert page(viewer, organisation=world.org_a.pk, period="2026-10", tlp="purple")[0] == 400
    for impossible in ("0000", "9999-Q4", "1000-01-01..9000-12-31"):
        assert page(viewer, organisation=world.org_a.pk, period=impossible)[0] == 400
    status, _html = page(viewer, organisation=world.org_a.pk, period="2026-10", country="Paraguay")
    assert status == 400
    api = APIClient()
    api.force_authenticate(viewer)
    response = api.get("/api/trends/metrics/", {"organisation": world.org_a.pk, "period": "2026-13"})
    assert response.status_code == 400
    assert "period" in response.json()
    assert api.get("/api/trends/metrics/", {"period": "2026-10"}).status_code == 400


# -- tables and drill-down ------------------------------------------------------------------------


def test_rows_link_to_the_matching_events(world: World, store: Path) -> None:
    coordinator = world.users[Role.COORDINATOR]
    _status, html = page(coordinator, organisation=world.org_a.pk, period="2026-10")
    links = [parse_qs(urlsplit(link).query) for link in links_to_events(html)]
    base = {"organisation": [str(world.org_a.pk)], "since": ["2026-10-01"], "until": ["2026-11-01"]}
    assert {**base, "taxonomy": ["availability"], "type": ["ddos"]} in links
    assert {**base, "sector": ["finance"]} in links
    assert {**base, "sector": ["unknown"]} in links
    assert {**base, "victim_country": ["unknown"]} in links
    assert {**base, "asn": ["64500"]} in links
    assert {**base, "feed": ["ddos_feed"]} in links
    assert {**base, "type": ["ddos"]} in links  # from the table of changes

    client = signed_in(coordinator)
    for link, expected in [
        ("taxonomy=availability&type=ddos", 60),
        ("sector=finance", 60),
        ("sector=unknown", 2),
        ("victim_country=unknown", 2),
        ("asn=64501", 5),
    ]:
        target = next(u for u in links_to_events(html) if u.endswith(link))
        events = client.get(target)
        assert events.status_code == 200
        assert f"{expected} events in the store of Authority A" in events.content.decode()


def test_filters_carry_into_the_drill_down(world: World, store: Path) -> None:
    _status, html = page(world.users[Role.COORDINATOR], organisation=world.org_a.pk, period="2026-Q4", sector="finance")
    for link in links_to_events(html):
        query = parse_qs(urlsplit(link).query)
        assert query["sector"] == ["finance"]
        assert (query["since"], query["until"]) == (["2026-10-01"], ["2027-01-01"])


def test_tables_beside_the_charts(world: World, store: Path) -> None:
    _status, html = page(world.users[Role.COORDINATOR], organisation=world.org_a.pk, period="2026-10")
    for table in ("classes", "types", "categories", "sectors", "countries", "asns", "networks", "organisations",
                  "feeds", "new_vs_recurring", "change_previous", "change_year"):  # fmt: skip
        assert f'id="table-{table}"' in html, table
    assert html.count("<svg") >= 5
    assert "Bank One" in html and "192.0.2.0/24" in html
    assert key_figure(html, "Events attributed to an organisation") == "65 (92.9&nbsp;%)"
    # 60 ddos events in 31 days against 10 in 30: a significant rise, with its p and q values.
    changes = html[html.index('id="table-change_previous"') :]
    row = changes[changes.index("Type: ddos") : changes.index("</tr>", changes.index("Type: ddos"))]
    assert "significant rise" in row
    assert "+480.7&nbsp;%" in row  # (60 / 31) / (10 / 30) - 1
    assert "&lt;\u00a00.001" in row
    assert "Record as a gap" in row


def test_the_page_escapes_hostile_names_in_tables_and_charts(world: World, store: Path) -> None:
    _status, html = page(world.users[Role.COORDINATOR], organisation=world.org_a.pk, period="2026-10")
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # in the table and in the ASN chart
    svg = html[html.index('id="panel-networks"') :]
    svg = svg[svg.index("<svg") : svg.index("</svg>")]
    assert "&lt;script&gt;alert(1)" in svg


def test_the_chart_renderer_escapes_text() -> None:
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": HOSTILE_AS,
        "data": {"values": [{"label": HOSTILE_ORG, "value": 3}, {"label": HOSTILE_AS, "value": 2}]},
        "mark": "bar",
        "encoding": {"y": {"field": "label", "type": "nominal"}, "x": {"field": "value", "type": "quantitative"}},
    }
    with translation.override("en"):
        svg = charts.to_svg(spec)
    assert svg.startswith("<svg")
    assert "<script" not in svg and "<img" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg


def test_the_page_has_no_inline_scripts_or_styles(world: World, store: Path) -> None:
    _status, html = page(world.users[Role.COORDINATOR], organisation=world.org_a.pk, period="2026-10")
    assert " style=" not in html and "<style" not in html
    assert re.findall(r"<script(?![^>]*\ssrc=)", html) == []
    assert re.search(r"<[^>]*\son[a-z]+=", html) is None


# -- no data --------------------------------------------------------------------------------------


def test_an_empty_store_says_so(world: World) -> None:
    status, html = page(world.outsider)
    assert status == 200
    assert "No events have been imported into the store of CSIRT B yet." in html
    assert "<svg" not in html and "%" not in html.split("<main", 1)[1]
    api = APIClient()
    api.force_authenticate(world.outsider)
    body = api.get("/api/trends/metrics/", {"organisation": world.org_b.pk}).json()
    assert body["period"] is None and body["metrics"] == {}


def test_a_partner_with_nothing_readable_is_told_so(world: World) -> None:
    write_store(event_store(world.org_a).root, [event("2026-10-01T00:00:00", tlp="amber")])
    status, html = page(world.users[Role.EXTERNAL_PARTNER])
    assert status == 200
    assert "holds no events you may read" in html


@pytest.mark.parametrize(
    "query",
    [{"period": "2025-01"}, {"period": "2026-10", "sector": "water"}, {"period": "2026-10", "country": "UY"}],
)
def test_a_period_or_filter_without_events_says_so(world: World, store: Path, query: dict[str, str]) -> None:
    status, html = page(world.users[Role.COORDINATOR], organisation=world.org_a.pk, **query)
    assert status == 200
    assert "match these filters" in html
    main = html.split("<main", 1)[1]
    assert "<svg" not in main
    assert re.search(r"\b0(\.0)?(&nbsp;|\s)%", main) is None


# -- caching --------------------------------------------------------------------------------------


def test_figures_are_cached_per_watermark_and_never_stale(world: World, store: Path) -> None:
    analyst = world.users[Role.ANALYST]
    assert key_figure(page(analyst, organisation=world.org_a.pk, period="2026-10")[1], "Events") == "67"
    state = store_state(world.org_a)
    scope = Scope(parse_period("2026-10"), tlp_in=("clear", "green", "amber", "amber+strict"))
    assert figures(state, scope).events == 67
    # A new import changes the watermark: the next page counts it.
    write_store(store, [event("2026-10-30T00:00:00", ip="192.0.2.200", tlp="amber")], import_id="imp-2")
    assert key_figure(page(analyst, organisation=world.org_a.pk, period="2026-10")[1], "Events") == "68"
    assert store_state(world.org_a).version != state.version


def test_warming_fills_the_cache_for_every_reading_level(world: World, store: Path) -> None:
    assert warm(world.org_a) == 3  # all labels; all but RED; CLEAR and GREEN
    assert warm(world.org_b) == 0


# -- gaps -----------------------------------------------------------------------------------------


def gap_post(client: Client, world: World, **fields: str) -> Any:
    data = {
        "organisation": str(world.org_a.pk),
        "period": "2026-10",
        "comparison": "change_previous",
        "dimension": "type",
        "series": "ddos",
        **fields,
    }
    return client.post(reverse("trends:gap_from_change"), data)


def test_a_rise_becomes_a_gap_once_with_its_evidence(world: World, store: Path) -> None:
    analyst = world.users[Role.ANALYST]
    client = signed_in(analyst)
    response = gap_post(client, world)
    gap = Gap.objects.get(source=GapSource.THREAT_TREND)
    assert response.status_code == 302
    assert response["Location"] == reverse("gaps:gap_detail", args=[gap.pk])
    assert gap.identifier == "THR-0001"
    assert gap.source_key == "trend:type=ddos"
    assert gap.title_en == "Rising threat: ddos"
    assert gap.title_es
    assert "60 events against 10 in 2026-09" in gap.description_en
    assert "q = < 0.001" in gap.description_en
    assert gap.tlp == "amber"  # the most restricted label among the analyst's events of the period
    evidence = gap.evidence.get()
    assert evidence.kind == EvidenceKind.PLATFORM
    assert evidence.url == f"/trends/?organisation={world.org_a.pk}&period=2026-10"
    assert "Change from the previous period, 2026-10" in evidence.label
    assert "60 events against 10" in evidence.note
    assert AuditEntry.objects.filter(object_id=str(gap.pk), action="create").exists()
    # The evidence link opens the dashboard with the same figures.
    assert "Type: ddos" in client.get(evidence.url).content.decode()

    again = gap_post(client, world)
    assert again.status_code == 302
    assert Gap.objects.filter(source=GapSource.THREAT_TREND).count() == 1
    assert Gap.objects.get(pk=gap.pk).evidence.count() == 1
    # The same rise a year on the same filters adds evidence to the same gap.
    gap_post(client, world, comparison="change_year")
    assert Gap.objects.filter(source=GapSource.THREAT_TREND).count() == 1
    assert Gap.objects.get(pk=gap.pk).evidence.count() == 1  # same dashboard link


def test_filters_make_a_separate_gap(world: World, store: Path) -> None:
    client = signed_in(world.users[Role.COORDINATOR])
    gap_post(client, world, dimension="sector", series="finance")
    gap_post(client, world, sector="finance")
    keys = set(Gap.objects.values_list("source_key", flat=True))
    assert keys == {"trend:sector=finance", "trend:type=ddos;sector=finance"}
    assert Gap.objects.get(source_key="trend:type=ddos;sector=finance").title_en == (
        "Rising threat: ddos (sector: Banking and finance)"
    )


def test_only_contributors_record_gaps_and_only_rises(world: World, store: Path) -> None:
    for role in (Role.VIEWER, Role.EXTERNAL_PARTNER):
        assert gap_post(signed_in(world.users[role]), world).status_code == 403
    assert gap_post(signed_in(world.outsider), world).status_code == 404
    assert gap_post(signed_in(world.nobody), world).status_code == 404
    assert Gap.objects.count() == 0
    contributor = signed_in(world.users[Role.CONTRIBUTOR])
    # Three phishing events against none are not significant: no gap.
    refused = gap_post(contributor, world, series="phishing")
    assert refused.status_code == 302
    assert Gap.objects.count() == 0
    assert gap_post(contributor, world, comparison="nonsense").status_code == 400
    assert gap_post(contributor, world).status_code == 302
    assert Gap.objects.count() == 1


def test_the_gap_button_needs_the_csrf_token(world: World, store: Path) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users[Role.COORDINATOR])
    assert gap_post(client, world).status_code == 403
    assert Gap.objects.count() == 0
    _status, html = page(world.users[Role.COORDINATOR], organisation=world.org_a.pk, period="2026-10")
    assert "csrfmiddlewaretoken" in html


def test_only_contributors_see_the_button(world: World, store: Path) -> None:
    for role, shown in ((Role.CONTRIBUTOR, True), (Role.VIEWER, False), (Role.EXTERNAL_PARTNER, False)):
        _status, html = page(world.users[role], organisation=world.org_a.pk, period="2026-10")
        assert ("Record as a gap" in html) is shown, role


def test_only_plain_svg_reaches_the_page() -> None:
    assert safe_svg(None) is None
    assert safe_svg('<svg viewBox="0 0 2 2"><script>alert(1)</script></svg>') is None
    assert safe_svg('<svg viewBox="0 0 2 2"><foreignObject><p>x</p></foreignObject></svg>') is None
    assert safe_svg("<div>not a chart</div>") is None
    scaled = safe_svg('<svg width="700" height="99" viewBox="0 0 700 99"><rect stroke-width="1"/></svg>')
    assert scaled == '<svg viewBox="0 0 700 99" width="100%"><rect stroke-width="1"/></svg>'


def test_the_page_in_spanish_uses_spanish_numbers_and_sector_names(world: World, store: Path) -> None:
    coordinator = world.users[Role.COORDINATOR]
    coordinator.language = "es"
    coordinator.save(update_fields=["language"])
    status, html = page(coordinator, organisation=world.org_a.pk, period="2026-10")
    assert status == 200
    assert '<html lang="es">' in html
    assert "Banca y finanzas" in html
    assert "(92,9&nbsp;%)" in html


def test_warming_covers_the_readers_a_store_is_granted_to(world: World, store: Path) -> None:
    """A national coordinator reading a CSIRT's store through a grant is answered from the cache too."""
    do_grant_store_access(world.users[Role.COORDINATOR], world.org_a, world.org_b, ceiling="amber", reason="test")
    # the three role levels, and CLEAR, GREEN and AMBER through the grant; then the recipient's "all stores"
    # view for its three reading levels (its own store is empty, so each opens on Authority A's latest month)
    assert warm(world.org_a) == 4 + 3
