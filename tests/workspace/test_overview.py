"""The overview page: each tile's figures against the database, access, empty states and a query bound."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries, Settings

from cyberplan.assessment.actions import do_answer_indicator, do_create_assessment, do_set_target_stage
from cyberplan.assessment.choices import Method
from cyberplan.assessment.models import Answer, Assessment, Framework
from cyberplan.core.choices import TLP, Role
from cyberplan.core.models import User
from cyberplan.gaps.choices import GapSource, GapStatus, Severity
from cyberplan.gaps.models import Gap
from cyberplan.legal.actions import do_create_review, do_update_finding
from cyberplan.legal.choices import Coverage
from cyberplan.strategy import actions as act
from cyberplan.strategy.choices import ActionStatus, ElementKind
from cyberplan.strategy.models import Action, Strategy
from cyberplan.threats.choices import ImportStatus
from cyberplan.threats.models import Import
from cyberplan.threats.store import event_store
from tests.analytics.support import event, write_store
from tests.conftest import World

TODAY = timezone.localdate()
PAST = TODAY - datetime.timedelta(days=60)
START = TODAY - datetime.timedelta(days=400)
FUTURE = TODAY + datetime.timedelta(days=365)


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, settings: Settings) -> None:
    """Own event stores and an own in-memory cache for every test."""
    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "events"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(tmp_path)}
    }


def home(user: User) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    return response.content.decode()


def tile(html: str, name: str) -> str:
    """The markup of one tile of the page."""
    match = re.search(rf'<section[^>]*data-tile="{name}".*?</section>', html, re.S)
    assert match, f"no {name} tile"
    return match.group(0)


def figure(html: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">(.*?)<', html, re.S)
    assert match, f"no figure {name}"
    return match.group(1).strip()


def counts(html: str, name: str) -> dict[str, str]:
    """The code and count of each line of a list of the gaps tile."""
    block = re.search(rf'data-figure="{name}">(.*?)</ul>', html, re.S)
    assert block, f"no list {name}"
    return dict(re.findall(r'data-code="([^"]+)">.*?<span class="badge[^"]*">([^<]+)</span>', block.group(1), re.S))


def cell(row: str, name: str) -> str:
    match = re.search(rf'data-value="{name}">([^<]+)<', row)
    assert match, f"no cell {name}"
    return match.group(1).strip()


# -- gaps -----------------------------------------------------------------------------------------


def test_gap_tile_counts_open_gaps_by_severity_and_source_with_links(
    world: World, make_gap: Callable[..., Gap]
) -> None:
    make_gap(severity=Severity.CRITICAL, source=GapSource.ASSESSMENT)
    make_gap(severity=Severity.CRITICAL, source=GapSource.THREAT_TREND)
    make_gap(severity=Severity.LOW, source=GapSource.ASSESSMENT)
    closed = make_gap(severity=Severity.HIGH, source=GapSource.LEGAL)
    Gap.objects.filter(pk=closed.pk).update(status=GapStatus.CLOSED)
    make_gap(organisation=world.org_b, creator=world.outsider, severity=Severity.HIGH)  # another organisation

    html = tile(home(world.users[Role.ANALYST]), "gaps")
    assert figure(html, "open-gaps") == "3"
    assert counts(html, "by-severity") == {"critical": "2", "low": "1"}
    assert counts(html, "by-source") == {"assessment": "2", "threat_trend": "1"}
    # Most severe first, each linked to the register filtered the same way.
    assert html.index('data-code="critical"') < html.index('data-code="low"')
    assert 'href="/gaps/?status=open&amp;severity=critical"' in html
    assert 'href="/gaps/?status=open&amp;source=threat_trend"' in html
    assert "3 open gaps are not addressed by any strategy action yet." in html
    # The outsider counts only their own organisation's gap.
    assert figure(tile(home(world.outsider), "gaps"), "open-gaps") == "1"


def test_a_red_gap_is_neither_counted_nor_named_for_a_viewer(world: World, make_gap: Callable[..., Gap]) -> None:
    make_gap(tlp=TLP.RED, title_en="Secret weakness of the grid", severity=Severity.CRITICAL)
    make_gap(tlp=TLP.AMBER, severity=Severity.LOW)
    viewer_page = home(world.users[Role.VIEWER])
    assert figure(tile(viewer_page, "gaps"), "open-gaps") == "1"
    assert counts(tile(viewer_page, "gaps"), "by-severity") == {"low": "1"}
    assert "Secret weakness" not in viewer_page
    assert figure(tile(home(world.users[Role.COORDINATOR]), "gaps"), "open-gaps") == "2"
    # An external partner reads neither AMBER nor RED gaps.
    partner = tile(home(world.users[Role.EXTERNAL_PARTNER]), "gaps")
    assert 'data-empty="gaps"' in partner


def test_a_gap_addressed_by_an_action_is_not_counted_as_unaddressed(world: World, make_gap: Callable[..., Gap]) -> None:
    cited, _other = make_gap(), make_gap()
    coordinator = world.users[Role.COORDINATOR]
    strategy = _strategy(world)
    line = strategy.elements.get(kind=ElementKind.LINE)
    act.do_create_action(coordinator, strategy, parent=line, title_en="Fix it", gaps=[cited])
    html = tile(home(coordinator), "gaps")
    assert "1 open gap is not addressed by any strategy action yet." in html


# -- strategy -------------------------------------------------------------------------------------


def _strategy(world: World, title: str = "National Cybersecurity Strategy") -> Strategy:
    coordinator = world.users[Role.COORDINATOR]
    strategy = act.do_create_strategy(
        coordinator, world.org_a, title_en=title, country="PY", start_year=2025, end_year=2028
    )
    axis = act.do_create_element(coordinator, strategy, kind=ElementKind.AXIS, code="1", title_en="Response")
    objective = act.do_create_element(
        coordinator, strategy, kind=ElementKind.OBJECTIVE, parent=axis, code="1.1", title_en="CSIRT"
    )
    act.do_create_element(
        coordinator, strategy, kind=ElementKind.LINE, parent=objective, code="1.1.1", title_en="Staff"
    )
    return strategy


def _action(world: World, strategy: Strategy, parent_code: str, title: str, end: datetime.date) -> Action:
    parent = strategy.elements.get(code=parent_code)
    return act.do_create_action(
        world.users[Role.COORDINATOR], strategy, parent=parent, title_en=title, start_date=START, end_date=end
    )


def _progress(world: World, action: Action, status: str, percent: int) -> None:
    act.do_report_progress(
        world.users[Role.COORDINATOR], action, date=TODAY, status=status, percent_complete=percent, narrative="."
    )


def test_strategy_tile_shows_progress_by_axis_and_the_overdue_actions(world: World) -> None:
    strategy = _strategy(world)
    coordinator = world.users[Role.COORDINATOR]
    axis2 = act.do_create_element(coordinator, strategy, kind=ElementKind.AXIS, code="2", title_en="Awareness")
    act.do_create_element(coordinator, strategy, kind=ElementKind.OBJECTIVE, parent=axis2, code="2.1", title_en="Reach")
    done = _action(world, strategy, "1.1.1", "Hire handlers", PAST)
    _progress(world, done, ActionStatus.COMPLETED, 100)
    late1 = _action(world, strategy, "1.1.1", "Buy tools", PAST - datetime.timedelta(days=10))
    _progress(world, late1, ActionStatus.IN_PROGRESS, 40)
    _action(world, strategy, "1.1.1", "Train staff", FUTURE)
    late2 = _action(world, strategy, "2.1", "Campaign", PAST)

    html = tile(home(world.users[Role.VIEWER]), "strategy")
    assert "National Cybersecurity Strategy" in html
    assert f'href="{reverse("strategy:workspace", args=[strategy.pk])}"' in html
    rows = dict(re.findall(r'<tr data-axis="(\d)">(.*?)</tr>', html, re.S))
    values = {axis: dict(re.findall(r'data-value="([a-z-]+)">(\d+)<', row)) for axis, row in rows.items()}
    assert values == {
        "1": {"completed": "1", "on-track": "1", "late": "1"},
        "2": {"completed": "0", "on-track": "0", "late": "1"},
    }
    assert "2 overdue actions" in html
    overdue = re.search(r'data-figure="overdue">(.*?)</ul>', html, re.S)
    assert overdue
    links = re.findall(r'href="([^"]+)">([^<]+)</a>', overdue.group(1))
    # The longest overdue first, each linked to its monitoring page.
    assert links == [
        (reverse("strategy:monitoring_action", args=[strategy.pk, late1.pk]), f"{late1.code} Buy tools"),
        (reverse("strategy:monitoring_action", args=[strategy.pk, late2.pk]), f"{late2.code} Campaign"),
    ]
    assert "Not published yet." in html


def test_strategy_tile_says_what_to_do_when_there_is_none(world: World) -> None:
    coordinator_tile = tile(home(world.users[Role.COORDINATOR]), "strategy")
    assert 'data-empty="strategy"' in coordinator_tile
    assert f'href="{reverse("strategy:strategy_create")}"' in coordinator_tile
    viewer_tile = tile(home(world.users[Role.VIEWER]), "strategy")
    assert "No strategy yet" in viewer_tile
    assert reverse("strategy:strategy_create") not in viewer_tile


def test_strategy_tile_never_shows_a_strategy_above_the_readers_tlp(world: World) -> None:
    strategy = _strategy(world, title="Restricted plan")
    Strategy.objects.filter(pk=strategy.pk).update(tlp=TLP.AMBER)
    assert "Restricted plan" not in home(world.users[Role.EXTERNAL_PARTNER])
    assert "Restricted plan" not in home(world.outsider)
    assert "Restricted plan" in home(world.users[Role.VIEWER])


# -- assessment -----------------------------------------------------------------------------------


def _assessment(world: World, title: str, date: datetime.date, tlp: str = TLP.AMBER) -> Assessment:
    return do_create_assessment(
        world.users[Role.COORDINATOR],
        world.org_a,
        Framework.objects.get(framework_id="cyberplan-ncm", version="2026.1"),
        date=date,
        tlp=tlp,
        title=title,
        country="PY",
        method=Method.EXPERT_REVIEW,
    )


def test_assessment_tile_shows_the_latest_assessment_per_dimension_against_its_target(world: World) -> None:
    _assessment(world, "Older assessment", datetime.date(2024, 1, 1))
    assessment = _assessment(world, "Assessment 2026", datetime.date(2026, 3, 1))
    coordinator = world.users[Role.COORDINATOR]
    structure = assessment.framework.structure()
    first = structure.dimensions[0]
    factor = first.factors[0]
    do_set_target_stage(coordinator, assessment.factors.get(factor_id=factor.id), 3)
    for indicator in factor.indicators_at(1):
        answer = Answer.objects.get(assessment=assessment, indicator_id=indicator.id)
        do_answer_indicator(coordinator, answer, answer.version, value="met")

    html = tile(home(world.users[Role.VIEWER]), "assessment")
    assert "Assessment 2026" in html and "Older assessment" not in html
    assert f'href="{reverse("assessment:assessment_detail", args=[assessment.pk])}"' in html
    rows = dict(re.findall(r'<tr data-dimension="([^"]+)">(.*?)</tr>', html, re.S))
    assert list(rows) == [d.id for d in structure.dimensions]
    first_row = rows[first.id]
    # The lowest and highest stages of its assessed factors, the target, one below it, and the factors
    # nobody assessed counted apart (never drawn as a stage 0).
    assert cell(first_row, "stages") == "1"
    assert cell(first_row, "not-assessed") == f"{len(first.factors) - 1} factors not assessed"
    assert cell(first_row, "target") == "3"
    assert cell(first_row, "below") == "1"
    other_row = rows[structure.dimensions[1].id]
    assert 'data-value="target">—<' in other_row
    assert cell(other_row, "stages") == "not assessed" and "<progress" not in other_row


def test_assessment_tile_skips_one_above_the_readers_tlp_and_says_what_to_do(world: World) -> None:
    _assessment(world, "Red assessment", datetime.date(2026, 3, 1), tlp=TLP.RED)
    viewer_tile = tile(home(world.users[Role.VIEWER]), "assessment")
    assert "Red assessment" not in viewer_tile
    assert 'data-empty="assessment"' in viewer_tile
    assert reverse("assessment:assessment_create") not in viewer_tile
    analyst_tile = tile(home(world.outsider), "assessment")
    assert f'href="{reverse("assessment:assessment_create")}"' in analyst_tile
    assert "Red assessment" in tile(home(world.users[Role.COORDINATOR]), "assessment")


# -- empty page, coming sections and the query bound ----------------------------------------------


def test_a_user_without_membership_sees_a_friendly_empty_page(world: World, make_gap: Callable[..., Gap]) -> None:
    make_gap()
    html = home(world.nobody)
    assert "You are not a member of any organisation yet" in html
    assert "data-tile=" not in html


def test_empty_tiles_say_what_to_do_and_unbuilt_sections_are_coming(world: World) -> None:
    html = home(world.users[Role.COORDINATOR])
    assert 'data-empty="gaps"' in tile(html, "gaps")
    assert 'data-empty="store"' in tile(html, "threats")
    assert f'href="{reverse("threats:import_list")}"' in tile(html, "threats")
    assert 'data-empty="legal"' in tile(html, "legal")
    assert 'data-empty="training"' in tile(html, "training")
    assert f'href="{reverse("training:coverage")}"' in tile(html, "training")
    assert re.findall(r'data-tile="coming"', html) == []  # every section with a tile is built


def test_legal_tile_shows_the_conventions_coverage_of_the_readers_latest_review(world: World) -> None:
    review = do_create_review(
        world.users[Role.COORDINATOR], world.org_a, tlp=TLP.AMBER, date=datetime.date(2026, 3, 1), title="Review A",
        country="PY",
    )  # fmt: skip
    for key, coverage in (("ets-185:2", Coverage.FULL), ("ets-185:3", Coverage.PARTIAL), ("ets-185:4", "none")):
        do_update_finding(
            None, review.provisions.get(provision=key), coverage=coverage, reasoning="r", national_articles=[]
        )
    do_create_review(
        world.outsider, world.org_b, tlp=TLP.CLEAR, date=datetime.date(2026, 6, 1), title="Other review", country="PY"
    )
    html = tile(home(world.users[Role.COORDINATOR]), "legal")
    assert "Review A" in html and "Other review" not in html
    assert reverse("legal:review_detail", args=[review.pk]) in html
    rows = re.findall(r'data-value="full">([^<]*)</td>\s*<td class="text-end" data-value="covered">([^<]*)<', html)
    # the last row is the Convention: 1 of its 48 articles fully covered, 2 at least in part
    assert rows[-1] == ("2.1 %", "4.2 %")
    # a member of another organisation reads their own review, never this one
    outsider = tile(home(world.outsider), "legal")
    assert "Other review" in outsider and "Review A" not in outsider


def test_the_page_answers_in_a_bounded_number_of_queries(
    world: World, make_gap: Callable[..., Gap], django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    """More gaps, axes, actions and dimensions never add queries (no query per row)."""
    strategy = _strategy(world)
    for code in "2345":
        act.do_create_element(
            world.users[Role.COORDINATOR], strategy, kind=ElementKind.AXIS, code=code, title_en=f"Axis {code}"
        )
    for n in range(6):
        make_gap(severity=list(Severity)[n % 4], source=list(GapSource)[n % 5])
        _action(world, strategy, "1.1.1", f"Action {n}", PAST if n % 2 else FUTURE)
    _assessment(world, "Assessment 2026", datetime.date(2026, 3, 1))
    client = Client()
    client.force_login(world.users[Role.COORDINATOR])
    client.get(reverse("core:home"))  # the session and the caches settle
    # 26 today: session and user, memberships, 3 for gaps, 6 for the strategy, 5 for the assessment,
    # the organisations, grants and imports for the threats, the legal review, the training coverage
    # (organisations, attendance, audience sizes), and the recent jobs.
    with django_assert_max_num_queries(28):
        assert client.get(reverse("core:home")).status_code == 200


# -- threats --------------------------------------------------------------------------------------


def _threat_store(world: World) -> None:
    """September: 5 DDoS events on finance. October: 80 of them, and 6 RED phishing events on government."""
    rows = [
        event(f"2026-09-{1 + i:02d}T10:00:00", ip=f"198.51.100.{i}", taxonomy="availability", type_="ddos",
              identifier="ddos", sector="finance", tlp="amber")
        for i in range(5)
    ]  # fmt: skip
    rows += [
        event(f"2026-10-{1 + i % 31:02d}T10:00:00", ip=f"198.51.100.{i}", taxonomy="availability", type_="ddos",
              identifier="ddos", sector="finance", tlp="amber")
        for i in range(80)
    ]  # fmt: skip
    rows += [
        event(f"2026-10-{10 + i:02d}T08:00:00", ip=f"192.0.2.{i}", taxonomy="fraud", type_="phishing",
              identifier="phishing", sector="government", tlp="red")
        for i in range(6)
    ]  # fmt: skip
    write_store(event_store(world.org_a).root, rows)
    Import.objects.create(
        organisation=world.org_a,
        file_name="feed.csv",
        file_sha256="0" * 64,
        status=ImportStatus.SUCCEEDED,
        tlp=TLP.AMBER,
        finished_at=datetime.datetime(2026, 11, 2, 9, 30, tzinfo=datetime.UTC),
    )


def change_rows(html: str) -> list[tuple[str, str, str, str]]:
    """(link, series, this month, before) of each row of the threat changes table."""
    return re.findall(
        r'<tr><th scope="row"><a href="([^"]+)">([^<]+)</a></th>\s*<td class="text-end">([^<]+)</td>\s*'
        r'<td class="text-end">([^<]+)</td>',
        html,
    )


@pytest.mark.slow
def test_threat_tile_shows_the_latest_significant_changes_the_reader_may_read(world: World) -> None:
    _threat_store(world)
    coordinator = tile(home(world.users[Role.COORDINATOR]), "threats")
    assert "Authority A" in coordinator and "2026-10" in coordinator
    assert "91 events in the latest month." not in coordinator  # September's events are not October's
    assert "86 events in the latest month." in coordinator
    assert "Last import: " in coordinator
    rows = change_rows(coordinator)
    # Against the previous month and against a year earlier (nothing then), strongest first.
    assert ("Type: ddos", "80", "5") in [row[1:] for row in rows]
    assert ("Type: ddos", "80", "0") in [row[1:] for row in rows]
    assert ("Sector: Government and public administration", "6", "0") in [row[1:] for row in rows]
    assert len(rows) == 5
    assert "(against the previous month)" in coordinator and "(against a year earlier)" in coordinator
    ddos = next(row for row in rows if row[1:] == ("Type: ddos", "80", "5"))
    link = ddos[0].replace("&amp;", "&")
    assert link.startswith(reverse("threats:event_list") + "?")
    assert f"organisation={world.org_a.pk}" in link and "type=ddos" in link and "since=2026-10-01" in link
    # A viewer does not read RED events: no phishing row, and fewer events.
    viewer = tile(home(world.users[Role.VIEWER]), "threats")
    assert "80 events in the latest month." in viewer
    assert "Government" not in viewer
    assert ("Type: ddos", "80", "5") in [row[1:] for row in change_rows(viewer)]
    # The other organisation's analyst reads only their own (empty) store.
    outsider = tile(home(world.outsider), "threats")
    assert "Authority A" not in outsider and 'data-empty="store"' in outsider
    # The figures come from the trends cache, keyed by the store's watermark: a new import shows at once.
    write_store(
        event_store(world.org_a).root,
        [event("2026-10-30T00:00:00", ip="192.0.2.200", tlp="amber")],
        import_id="imp-2",
    )
    assert "81 events in the latest month." in tile(home(world.users[Role.VIEWER]), "threats")


def test_the_page_escapes_user_text_and_speaks_spanish(world: World, make_gap: Callable[..., Gap]) -> None:
    hostile = '<script>alert("x")</script>'
    strategy = _strategy(world, title=hostile)
    _action(world, strategy, "1.1.1", hostile, PAST)
    _assessment(world, hostile, datetime.date(2026, 3, 1))
    Gap.objects.bulk_create(
        Gap(organisation=world.org_a, identifier=f"GAP-{n:05d}", title_en="x", severity=Severity.LOW)
        for n in range(1200)
    )
    coordinator = world.users[Role.COORDINATOR]
    html = home(coordinator)
    assert "<script>alert" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert " style=" not in html and re.search(r"<[^>]*\son[a-z]+=", html) is None
    assert figure(tile(html, "gaps"), "open-gaps") == "1,200"
    coordinator.language = "es"
    coordinator.save(update_fields=["language"])
    spanish = home(coordinator)
    assert '<html lang="es"' in spanish
    # Grouped the Spanish way (a point, or a no-break space under the common Spanish format), never a comma.
    assert figure(tile(spanish, "gaps"), "open-gaps") in ("1.200", "1\u00a0200")


# -- training -------------------------------------------------------------------------------------


def test_training_tile_shows_the_share_of_each_audience_trained(world: World) -> None:
    from cyberplan.training import actions as training

    analyst = world.users[Role.ANALYST]
    provider = training.do_create_provider(analyst, world.org_a, name="School", kind="judicial_school")
    programme = training.do_create_programme(analyst, world.org_a, provider=provider, title="Evidence", tlp=TLP.GREEN)
    training.do_create_course(analyst, programme, title="Evidence", topics=["electronic-evidence"], hours=8)
    listing = (
        "key,audience,institution,course,session_date,completed\n"
        "J-1,judges,Poder Judicial,Evidence,2026-05-04,yes\n"
        "J-2,judges,Poder Judicial,Evidence,2026-05-04,yes\n"
        "F-1,prosecutors,Ministerio Público,Evidence,2026-05-04,yes\n"
    )
    assert training.do_import_participants(analyst, programme, "l.csv", listing.encode()).ok
    training.do_set_denominator(
        analyst, world.org_a, audience="judges", year=2026, institution="Poder Judicial", size=8
    )
    html = tile(home(world.users[Role.VIEWER]), "training")
    assert f'href="{reverse("training:coverage")}"' in html
    assert "up to 2026" in html
    judges = html.split("Judges", 1)[1].split("</tr>", 1)[0]
    assert 'data-value="trained">2<' in judges and "25.0 %" in judges
    prosecutors = html.split("Prosecutors", 1)[1].split("</tr>", 1)[0]
    assert "no audience size" in prosecutors
    # another organisation's reader sees none of it
    assert 'data-empty="training"' in tile(home(world.outsider), "training")
