"""The pooled-events section of the regional dashboard and report: the regional metric set over the pooled
CLEAR/GREEN events, as the worker computes and keeps it per pool version, equal to the metric set run directly on
the pool; it names the pooled members and periods, is kept apart from the package figures, is refused to other
organisations, and reads in both languages."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from cyberplan.analytics.periods import parse_period
from cyberplan.core.choices import Role
from cyberplan.core.models import AuditEntry, Organisation, User
from cyberplan.jobs.models import Job
from cyberplan.regional import pooled, pooled_figures, pooled_synth
from cyberplan.regional.jobs import REGIONAL_POOLED
from cyberplan.regional.models import Member
from cyberplan.regional.report.document import build_report
from cyberplan.regional.report.service import produce
from cyberplan.trends.labels import taxonomy_label
from tests.conftest import World
from tests.regional.report_support import regional_world

pytestmark = pytest.mark.django_db

#: Synthetic pooled events per member (spread over 2026-Q2, 2026-Q1 and 2025-Q2).
EVENTS = {"PY": 900, "UY": 500}


@pytest.fixture(autouse=True)
def _events_dir(settings: Any, tmp_path: Path) -> None:
    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "events"


def share_events(programme: Organisation, events: dict[str, int]) -> None:
    """The members share raw events, and their synthetic events are in the programme's pool."""
    store = pooled.pool_store(programme)
    for index, (country, count) in enumerate(sorted(events.items())):
        Member.objects.filter(programme=programme, country=country).update(shares_events=True)
        pooled_synth.write_country(store.member_dir(country) / "synthetic.parquet", country, count, index=index)


@pytest.fixture
def programme() -> Organisation:
    found = regional_world()
    share_events(found, EVENTS)
    return found


def user(role: str) -> User:
    return User.objects.get(username=f"p-{role}")


def dashboard(who: User, language: str = "en") -> str:
    client = Client()
    client.force_login(who)
    response = client.get(reverse("regional:programme_overview"), {"period": "2026"}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


class _Tables(HTMLParser):
    """The cells of each table with an id, row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.ids: set[str] = set()
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs).get("id")
        if found:
            self.ids.add(found)
        if tag == "table" and found:
            self._table = found
            self.tables[found] = []
        elif tag == "tr" and self._table:
            self._row = []
        elif tag == "td" and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._row is not None and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._table and self._row is not None:
            if self._row:
                self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables(html: str) -> _Tables:
    parser = _Tables()
    parser.feed(html)
    return parser


def in_2026(programme: Organisation) -> int:
    """The pooled events of 2026, counted from the pool files themselves."""
    total = 0
    for path in pooled.pool_store(programme).files():
        times = pq.read_table(path, columns=["time.source"])["time.source"]
        total += pc.sum(pc.equal(pc.year(times), 2026)).as_py()
    return int(total)


def direct(programme: Organisation, period: str = "2026") -> dict[str, list[dict[str, Any]]]:
    """The regional metric set run directly on the pool, on DuckDB (what the command line prints)."""
    return pooled.compute(programme, period, "duckdb").rows


def test_the_section_shows_the_metric_set_of_the_pool_and_names_its_members(programme: Organisation) -> None:
    viewer = user(Role.VIEWER)
    before = tables(dashboard(viewer))
    assert "pooled" in before.ids and "pooled-missing" in before.ids  # nothing computed yet: never computed here
    assert "pooled-by-country" not in before.tables

    figures = pooled_figures.compute(programme, parse_period("2026"))  # what the worker's job runs
    assert figures.engine == "duckdb" and figures.members == ["PY", "UY"]

    html = dashboard(viewer)
    page = tables(html)
    rows = direct(programme)
    exposure = {r["country"]: r for r in rows["exposure"]}
    expected = [
        [
            r["country"],
            str(r["events"]),
            str(exposure[r["country"]]["sources"]),
            str(exposure[r["country"]]["announced_ipv4"]),
            str(exposure[r["country"]]["per_1000"]),
        ]
        for r in sorted(rows["events_by_country"], key=lambda r: r["country"])
    ]
    assert [[cell.replace(",", "") for cell in row] for row in page.tables["pooled-by-country"]] == expected
    assert sum(int(r[1]) for r in expected) == in_2026(programme)
    by_class: dict[tuple[str, str], int] = {}
    for r in rows["events_by_month"]:
        key = (str(r["month"])[:7], str(r["taxonomy"]))
        by_class[key] = by_class.get(key, 0) + int(r["events"])
    assert page.tables["pooled-by-class"] == [
        [month, taxonomy_label(taxonomy), str(events)] for (month, taxonomy), events in sorted(by_class.items())
    ]
    assert len(page.tables["pooled-monthly"]) == len(rows["events_by_month"])
    changes = page.tables["pooled-changes"]
    assert [(r[1], r[2]) for r in changes] == [(str(r["previous"]), str(r["current"])) for r in rows["change_previous"]]
    # The section says whose events and which periods it reads, and keeps to its own source.
    assert "PY, UY" in html and "2025" in html and "TLP:GREEN" in html  # synthetic rows are CLEAR and GREEN
    assert "pooled-stale" not in page.ids


def test_a_member_that_stops_sharing_makes_the_kept_figures_stale_until_computed_again(
    programme: Organisation,
) -> None:
    pooled_figures.compute(programme, parse_period("2026"))
    Member.objects.filter(programme=programme, country="UY").update(shares_events=False)
    page = tables(dashboard(user(Role.VIEWER)))
    assert "pooled-stale" in page.ids
    pooled_figures.compute(programme, parse_period("2026"))
    page = tables(dashboard(user(Role.VIEWER)))
    assert "pooled-stale" not in page.ids
    assert [r[0] for r in page.tables["pooled-by-country"]] == ["PY"]


def test_other_organisations_are_refused_and_only_analysts_ask_for_a_computation(
    programme: Organisation, world: World
) -> None:
    outsider = Client()
    outsider.force_login(world.users[Role.COORDINATOR])  # a coordinator of a national authority
    assert outsider.get(reverse("regional:programme_overview")).status_code == 403
    url = reverse("regional:pooled_compute")
    assert outsider.post(url, {"programme": programme.pk, "period": "2026"}).status_code == 403
    viewer = Client()
    viewer.force_login(user(Role.VIEWER))
    viewer.post(url, {"programme": programme.pk, "period": "2026"})
    assert not Job.objects.filter(kind=REGIONAL_POOLED).exists()
    analyst = Client()
    analyst.force_login(user(Role.ANALYST))
    answer = analyst.post(url, {"programme": programme.pk, "period": "2026"})
    assert answer.status_code == 302 and answer["Location"].endswith("#pooled")
    job = Job.objects.get(kind=REGIONAL_POOLED)
    assert job.organisation_id == programme.pk and job.parameters == {"period": "2026"}
    assert AuditEntry.objects.filter(object_id=str(job.pk)).exists()
    assert analyst.post(url, {"programme": programme.pk, "period": "someday"}).status_code == 302
    assert Job.objects.filter(kind=REGIONAL_POOLED).count() == 1  # a bad period starts nothing


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_report_has_the_pooled_chapter_in_both_languages(programme: Organisation, language: str) -> None:
    rows = direct(programme)
    html = produce(programme, "2026", language=language, fmt="html", reader=user(Role.ANALYST)).content.decode()
    with translation.override(language):
        report = build_report(programme, "2026", user(Role.ANALYST))
        title = gettext("Pooled events")
    chapter = next(s for s in report.sections if s.id == "pooled")
    assert chapter.title == title and title in html
    by_member = chapter.tables[0]
    assert [r[1].replace(",", "").replace(".", "") for r in by_member.rows] == [
        str(r["events"]) for r in sorted(rows["events_by_country"], key=lambda r: r["country"])
    ]
    assert all("(PY)" in r[0] or "(UY)" in r[0] for r in by_member.rows)
    assert report.content.pooled is not None and report.content.pooled.members == ["PY", "UY"]
    # The package chapters are unchanged by the pool: the events summed from the packages stay theirs.
    assert report.content.figures["events"].members == ["PY", "UY"]


def test_without_a_pool_there_is_no_pooled_chapter_nor_section(world: World) -> None:
    programme = regional_world()
    with translation.override("en"):
        report = build_report(programme, "2026")
    assert all(s.id != "pooled" for s in report.sections) and report.content.pooled is None
    assert "pooled" not in tables(dashboard(user(Role.VIEWER))).ids


@pytest.mark.spark
@pytest.mark.slow
def test_the_setting_runs_the_section_on_spark_with_the_same_figures(programme: Organisation, settings: Any) -> None:
    period = parse_period("2026")
    on_duckdb = pooled_figures.compute(programme, period)
    settings.CYBERPLAN_REGIONAL_POOL_ENGINE = "spark"
    on_spark = pooled_figures.compute(programme, period)
    assert on_duckdb.engine == "duckdb" and on_spark.engine == "spark"
    assert on_spark.rows.keys() == on_duckdb.rows.keys()
    for metric, rows in on_duckdb.rows.items():
        assert on_spark.rows[metric] == rows, metric
    kept = pooled_figures.kept(programme, period)
    assert kept is not None and kept.engine == "spark" and not kept.stale
