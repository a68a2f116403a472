"""The overview page's figures: the spine (gaps, strategy, assessment, threats) at a glance.

Every figure is read through the owning app's access and query functions, so a tile counts only
what its reader may see: the organisations they belong to, at the TLP labels their role reads
there. Nothing here writes. The threat figures come from the trends figures cache (keyed by each
store's watermark), so the page never scans events.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, F, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cyberplan.assessment.access import assessments_visible_to
from cyberplan.assessment.models import Assessment
from cyberplan.assessment.results import factor_scores
from cyberplan.core.access import Permission, organisations_where
from cyberplan.core.models import Organisation, User
from cyberplan.core.sections import SECTIONS
from cyberplan.gaps.access import gaps_visible_to
from cyberplan.gaps.choices import SEVERITY_RANK, GapSource, GapStatus, Severity
from cyberplan.legal.access import reviews_visible_to
from cyberplan.legal.catalogue import shipped_catalogue
from cyberplan.legal.choices import ReviewState
from cyberplan.legal.coverage import coverage_by_group
from cyberplan.legal.models import Review
from cyberplan.strategy.access import strategies_visible_to
from cyberplan.strategy.choices import VersionStatus
from cyberplan.strategy.models import Strategy
from cyberplan.strategy.monitoring.overview import overview as strategy_overview
from cyberplan.threats.access import imports_visible_to, readable_stores
from cyberplan.threats.choices import ImportStatus
from cyberplan.training.access import coverage_visible_to
from cyberplan.training.choices import Audience
from cyberplan.trends.figures import figures, latest_period, store_state
from cyberplan.trends.forms import scope_of
from cyberplan.trends.labels import flag_label
from cyberplan.trends.views.tables import Drill, dashboard_url, series_label

#: How many rows the strategy's overdue actions and the threat changes show.
TOP = 5


def _gap_list_url(**filters: str) -> str:
    return reverse("gaps:gap_list") + "?" + urlencode(filters)


# -- gaps -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """One line of a tile: a label, its count and the page that lists what it counts."""

    code: str
    label: str
    count: int
    url: str


@dataclass(frozen=True)
class GapTile:
    open_total: int
    by_severity: list[Tally]
    by_source: list[Tally]
    without_action: int  # open gaps no strategy action cites
    all_url: str
    can_create: bool


def gap_tile(user: User) -> GapTile:
    """Open gaps by severity (most severe first) and by source, and those no action addresses yet.

    The gap register has no owner or due date, so the tile counts what stands for them: open gaps
    that no strategy action cites. Two queries.
    """
    open_gaps = gaps_visible_to(user).filter(status=GapStatus.OPEN).order_by()
    pairs = open_gaps.values_list("severity", "source").annotate(n=Count("id"))
    severity_counts: dict[str, int] = {}
    source_counts: dict[str, int] = {}
    for severity, source, n in pairs:
        severity_counts[severity] = severity_counts.get(severity, 0) + n
        source_counts[source] = source_counts.get(source, 0) + n
    by_severity = [
        Tally(s.value, str(s.label), severity_counts[s.value], _gap_list_url(status="open", severity=s.value))
        for s in sorted(Severity, key=lambda s: -SEVERITY_RANK[s])
        if severity_counts.get(s.value)
    ]
    by_source = [
        Tally(s.value, str(s.label), source_counts[s.value], _gap_list_url(status="open", source=s.value))
        for s in GapSource
        if source_counts.get(s.value)
    ]
    return GapTile(
        open_total=sum(severity_counts.values()),
        by_severity=by_severity,
        by_source=by_source,
        without_action=open_gaps.filter(action_links__isnull=True).count() if severity_counts else 0,
        all_url=_gap_list_url(status="open"),
        can_create=organisations_where(user, Permission.CONTRIBUTE).exists(),
    )


# -- strategy -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AxisRow:
    code: str
    title: str
    actions: int
    completed: int
    on_track: int
    late: int

    def share(self, count: int) -> int:
        return round(100 * count / self.actions) if self.actions else 0

    @property
    def completed_percent(self) -> int:
        return self.share(self.completed)

    @property
    def on_track_percent(self) -> int:
        return self.share(self.on_track)

    @property
    def late_percent(self) -> int:
        return self.share(self.late)


@dataclass(frozen=True)
class OverdueAction:
    code: str
    title: str
    end_date: datetime.date | None
    percent: int
    url: str


@dataclass(frozen=True)
class StrategyTile:
    strategy: Strategy
    published_on: datetime.date | None  # of its latest published version, if any
    axes: list[AxisRow]
    overall_percent: float
    actions: int
    completed: int
    overdue: list[OverdueAction]
    overdue_count: int
    review_due_on: datetime.date | None
    url: str
    monitoring_url: str


def current_strategy(user: User) -> Strategy | None:
    """The reader's current strategy: the one with the latest published version, else the latest one."""
    published = Max("versions__published_at", filter=Q(versions__status=VersionStatus.PUBLISHED))
    return (
        strategies_visible_to(user)
        .annotate(last_published=published)
        .order_by(F("last_published").desc(nulls_last=True), "-start_year", "-id")
        .first()
    )


def strategy_tile(user: User) -> StrategyTile | None:
    """Progress by axis (actions completed, on track, late), the overdue actions and the next review."""
    strategy = current_strategy(user)
    if strategy is None:
        return None
    view = strategy_overview(strategy, reader=user)
    axes = [
        AxisRow(
            code=axis.axis.code,
            title=axis.axis.title,
            actions=axis.actions,
            completed=axis.completed,
            on_track=axis.actions - axis.completed - axis.overdue,
            late=axis.overdue,
        )
        for axis in view.axes
    ]
    late = [alert.action for alert in view.alerts if alert.kind == "overdue" and alert.action is not None]
    late.sort(key=lambda action: (action.end_date or datetime.date.max, action.code))
    published_at: datetime.datetime | None = getattr(strategy, "last_published", None)
    return StrategyTile(
        strategy=strategy,
        published_on=timezone.localdate(published_at) if published_at else None,
        axes=axes,
        overall_percent=view.overall_percent,
        actions=view.actions,
        completed=view.completed,
        overdue=[
            OverdueAction(
                code=action.code,
                title=action.title,
                end_date=action.end_date,
                percent=action.percent_complete,
                url=reverse("strategy:monitoring_action", args=[strategy.pk, action.pk]),
            )
            for action in late[:TOP]
        ],
        overdue_count=len(late),
        review_due_on=view.review_due_on,
        url=reverse("strategy:workspace", args=[strategy.pk]),
        monitoring_url=reverse("strategy:monitoring", args=[strategy.pk]),
    )


# -- assessment -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DimensionRow:
    dimension_id: str
    name: str
    factors: int
    lowest: int | None  # None when no factor of the dimension is assessed
    highest: int | None
    not_assessed: int  # factors with no assessed indicator: they have no stage
    target: int | None  # the highest target stage set on one of its factors
    below_target: int  # factors under their own target stage
    top: int  # the framework's last stage

    @property
    def lowest_percent(self) -> int:
        return round(100 * self.lowest / self.top) if self.top and self.lowest else 0

    @property
    def target_percent(self) -> int:
        return round(100 * self.target / self.top) if self.top and self.target else 0


@dataclass(frozen=True)
class AssessmentTile:
    assessment: Assessment
    dimensions: list[DimensionRow]
    top: int
    url: str


def assessment_tile(user: User) -> AssessmentTile | None:
    """The latest assessment the reader may see: per dimension, its factors' stages against their targets."""
    assessment = assessments_visible_to(user).order_by("-date", "-id").first()
    if assessment is None:
        return None
    language = (get_language() or "en")[:2]
    structure = assessment.framework.structure()
    top = len(structure.stages)
    by_dimension: dict[str, list[dict[str, Any]]] = {}
    for row in factor_scores(assessment, language):
        by_dimension.setdefault(row["dimension_id"], []).append(row)
    dimensions = []
    for dimension in structure.dimensions:
        rows = by_dimension.get(dimension.id, [])
        stages = [int(r["stage"]) for r in rows if r["stage"] is not None]
        targets = [int(r["target_stage"]) for r in rows if r["target_stage"]]
        dimensions.append(
            DimensionRow(
                dimension_id=dimension.id,
                name=dimension.name.get(language),
                factors=len(rows),
                lowest=min(stages) if stages else None,
                highest=max(stages) if stages else None,
                not_assessed=len(rows) - len(stages),
                target=max(targets) if targets else None,
                below_target=sum(bool(r["below_target"]) for r in rows),
                top=top,
            )
        )
    return AssessmentTile(
        assessment=assessment,
        dimensions=dimensions,
        top=top,
        url=reverse("assessment:assessment_detail", args=[assessment.pk]),
    )


# -- threats --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThreatChange:
    label: str
    current: int
    previous: int
    change: float | None  # per cent, in daily rate
    flag: str
    flag_label: str
    compared_with: str
    url: str | None


@dataclass
class StoreTile:
    organisation: Organisation
    period: str | None
    events: int
    changes: list[ThreatChange] = field(default_factory=list)
    last_import: datetime.datetime | None = None
    url: str = ""
    description: str = ""  # the store's name, and the grant it is read through if any
    granted: bool = False  # read through a grant: the owner's imports stay internal, so no import date


def _significant_changes(store: StoreTile, rows: dict[str, list[dict[str, Any]]], drill: Drill) -> None:
    """The tested changes of the store's latest month that are significant, the strongest (lowest q) first."""
    found: list[tuple[float, ThreatChange]] = []
    for metric_id, compared in (
        ("change_previous", _("against the previous month")),
        ("change_year", _("against a year earlier")),
    ):
        for r in rows.get(metric_id, []):
            flag = r.get("flag") or ""
            if not flag:
                continue
            url = drill.url(sector=r["series"]) if r["dimension"] == "sector" else drill.url(type=r["series"])
            dimension = _("Sector") if r["dimension"] == "sector" else _("Type")
            change = ThreatChange(
                label=f"{dimension}: {series_label(r['dimension'], r['series'])}",
                current=int(r["current"]),
                previous=int(r["previous"]),
                change=None if r["change"] is None else 100.0 * float(r["change"]),
                flag=flag,
                flag_label=flag_label(flag),
                compared_with=str(compared),
                url=url,
            )
            found.append((float(r["q"]) if r.get("q") is not None else 2.0, change))
    found.sort(key=lambda pair: (pair[0], pair[1].label))
    store.changes = [change for _q, change in found[:TOP]]


def threat_tiles(user: User) -> list[StoreTile]:
    """For each readable store: the latest month's significant changes and the last import's date."""
    # Own stores and those granted to the reader's organisations, each at the labels the release rule gives.
    stores = readable_stores(user)
    if not stores:
        return []
    last_imports = dict(
        imports_visible_to(user)
        .filter(status=ImportStatus.SUCCEEDED)
        .order_by()
        .values_list("organisation")
        .annotate(last=Max("finished_at"))
    )
    tiles = []
    for store in stores:
        organisation, labels = store.owner, store.labels
        state = store_state(organisation)
        # An empty store has no month to show: no need to open the analytics engine.
        period = latest_period(state, labels) if state.has_imports else None
        tile = StoreTile(
            organisation,
            period.label if period else None,
            0,
            last_import=last_imports.get(organisation.pk),
            description=store.describe(),
            granted=store.granted,
            url=reverse("trends:dashboard") + "?" + urlencode({"organisation": organisation.pk}),
        )
        if period is not None:
            data = figures(state, scope_of(period, labels))
            tile.events = data.events
            tile.url = dashboard_url(organisation, period, {})
            _significant_changes(tile, data.rows, Drill(organisation, period, {}))
        tiles.append(tile)
    return tiles


# -- legal coverage -------------------------------------------------------------------------------

CONVENTION = "ets-185"


@dataclass(frozen=True)
class CoverageRow:
    label: str
    full: int
    partial: int
    applicable: int
    full_percent: float | None
    covered_percent: float | None


@dataclass(frozen=True)
class LegalTile:
    review: Review
    url: str
    rows: list[CoverageRow]  # each chapter and section of the Convention, then the Convention as a whole


def legal_tile(user: User) -> LegalTile | None:
    """The Budapest Convention's coverage in the latest review the reader may read (approved first)."""
    reviews = reviews_visible_to(user).order_by("-date", "-id")
    review = reviews.filter(state=ReviewState.APPROVED).first() or reviews.first()
    if review is None:
        return None
    language = (get_language() or "en")[:2]
    rows = []
    for group in coverage_by_group(shipped_catalogue(), review.findings(), CONVENTION):
        full, covered = group.full_share, group.covered_share
        rows.append(
            CoverageRow(
                group.title.get(language),
                group.full,
                group.partial,
                group.applicable,
                None if full is None else round(100 * full, 1),
                None if covered is None else round(100 * covered, 1),
            )
        )
    return LegalTile(review, reverse("legal:review_detail", args=[review.pk]), rows)


# -- training coverage ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingRow:
    audience: str
    trained: int  # people trained up to the year, each once
    size: int | None
    percent: float | None  # None: no audience size that year


@dataclass(frozen=True)
class TrainingTile:
    year: int | None
    url: str
    rows: list[TrainingRow]  # one per audience with training or a size, in any topic


def training_tile(user: User) -> TrainingTile | None:
    """The share of each audience trained (any topic, up to the latest year) in the reader's first organisation.

    None when the reader is no member of any organisation.
    """
    organisation_ids = sorted(o.pk for o in organisations_where(user, Permission.VIEW).only("pk"))
    if not organisation_ids:
        return None
    table = coverage_visible_to(user, organisation_ids[0])
    url = reverse("training:coverage")
    if not table.years:
        return TrainingTile(None, url, [])
    year = table.years[-1]
    rows = [
        TrainingRow(
            str(Audience(r.audience).label),
            r.cumulative_trained,
            r.denominator,
            None if r.cumulative_percent is None else round(r.cumulative_percent, 1),
        )
        for r in table.national(None, year)
    ]
    return TrainingTile(year, url, rows)


# -- sections not built yet -----------------------------------------------------------------------


def coming_sections() -> list[str]:
    """The titles of the sections whose coverage will show here once they are built (none today)."""
    return [str(s.title) for s in SECTIONS if s.slug in ("legal", "training") and s.url_name is None]
