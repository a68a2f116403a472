"""KPIs computed from platform data: threat trend figures, assessment stages, gaps closed, actions done.

A computed measurement keeps in ``detail`` what it was computed from (the window, the figure and
its filters, the assessment), so the monitoring report can say where each number comes from.

Threat trend figures are written ``<figure> [filter=value ...]``:

* figures: ``events``, ``sources`` (distinct source addresses), ``incidents``;
* filters: ``class=`` (RSIT class, e.g. ``intrusion-attempts``), ``type=`` (e.g. ``brute-force``),
  ``sector=`` (a sector code), ``country=`` (ISO code), ``feed=``; a filter may be repeated;
* ``store=`` (an organisation's short name): count the events of that organisation's store, for
  example the national CSIRT's, instead of the strategy owner's. That organisation must have granted
  the strategy's organisation read access to its store; only the labels the grant releases are counted
  (never AMBER+STRICT or RED), and of those only what the person computing reads.

Legal coverage is written ``[treaty] [chapter or section] [full|covered] [org=short name]``, by default
``ets-185 II.1 full``: the share of the Convention's substantive criminal law articles (chapter II,
section 1) fully covered by national law. ``II`` names a whole chapter, ``II.2`` a section, ``all`` the
whole treaty; ``covered`` counts partial coverage too. The figure comes from the latest approved alignment
review of the strategy's country dated on or before the measurement date, by the strategy's organisation
or, with ``org=``, by another organisation whose review the strategy's organisation may read
(``TLP:CLEAR`` or ``TLP:GREEN``). Provisions found not applicable leave the denominator.

Training coverage is written ``<audience> [topic|any] [cumulative|year] [institution="name"] [org=short name]``,
for example ``judges electronic-evidence``: the share of criminal judges trained in electronic evidence. The
audience and the topic are keys of the capacity-building section (``judges``, ``prosecutors``,
``public_officials``...; ``electronic-evidence``, ``incident-handling``...; ``any`` or no topic: any topic).
``cumulative`` (the default) counts people trained in that year or any earlier one, ``year`` only those
trained in the measurement date's year; either over the audience size recorded for that year, nationally or,
with ``institution=``, of one institution. Each person counts once; only sessions ended by the measurement date
count. With ``org=``, another organisation's training is read (``TLP:CLEAR`` and ``TLP:GREEN`` only). Without a
recorded audience size there is no value: the computation says so rather than giving 0 %.

The window of a measurement is the KPI's frequency ending on the measurement date (a quarterly
KPI measured on 30 June counts 1 April to 30 June).
"""

from __future__ import annotations

import datetime
import shlex
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from cyberplan.analytics.metrics import Scope
from cyberplan.analytics.periods import Period
from cyberplan.analytics.service import compute as compute_metrics
from cyberplan.assessment.access import latest_assessment_of
from cyberplan.assessment.results import score_assessment
from cyberplan.core.access import ROLE_TLP, role_in
from cyberplan.core.models import Organisation, User
from cyberplan.gaps.access import count_closed_before, gaps_with_ids
from cyberplan.legal.access import latest_approved_review_for
from cyberplan.legal.catalogue import CONVENTION, SUBSTANTIVE, Treaty, shipped_catalogue
from cyberplan.legal.coverage import GroupCoverage
from cyberplan.threats.access import describe_store_for, organisation_store_labels
from cyberplan.threats.store import event_store
from cyberplan.training.kpi_access import audience_keys, coverage_figure, topic_keys
from cyberplan.trends.store import analytics_engine

from .choices import FREQUENCY_MONTHS, ActionStatus, Frequency, KPISource
from .models import KPI, Action, ActionGap, Element, KPIMeasurement

FIGURES = {"events": "totals", "sources": "sources_total", "incidents": "incidents_by_type"}
FILTERS = {"class": "taxonomies", "type": "types", "sector": "sectors", "country": "countries", "feed": "feeds"}


@dataclass(frozen=True)
class TrendSpec:
    figure: str
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    store: str | None = None


def parse_trend_spec(text: str) -> TrendSpec:
    """``events class=intrusion-attempts sector=government`` -> figure and filters; ``ValueError`` if wrong."""
    words = text.split()
    if not words:
        raise ValueError(_("Name the figure: events, sources or incidents."))
    figure = words[0].lower()
    if figure not in FIGURES:
        raise ValueError(_("Unknown figure %(figure)r: use events, sources or incidents.") % {"figure": words[0][:30]})
    filters: dict[str, list[str]] = {}
    store: str | None = None
    for word in words[1:]:
        name, sep, value = word.partition("=")
        if not sep or not value:
            raise ValueError(_("Write each filter as name=value, not %(word)r.") % {"word": word[:40]})
        if name.lower() == "store":
            if store is not None:
                raise ValueError(_("Name one store only."))
            store = value
            continue
        if name.lower() not in FILTERS:
            raise ValueError(
                _("Unknown filter %(name)r: use class, type, sector, country, feed or store.") % {"name": name[:30]}
            )
        filters.setdefault(name.lower(), []).append(value.upper() if name.lower() == "country" else value)
    return TrendSpec(figure, {k: tuple(v) for k, v in filters.items()}, store)


def parse_factor_spec(text: str) -> tuple[str | None, str]:
    """``1.2`` or ``framework-id:1.2`` -> (framework id or None, factor id)."""
    framework, sep, factor = text.strip().rpartition(":")
    factor = factor.strip()
    if not factor or not all(part.isdigit() for part in factor.split(".")):
        raise ValueError(_("Give the factor as its number, e.g. 1.2."))
    return (framework.strip() or None) if sep else None, factor


@dataclass(frozen=True)
class LegalSpec:
    treaty: str = CONVENTION
    group: str = ".".join(SUBSTANTIVE)
    measure: str = "full"
    organisation: str | None = None


LEGAL_MEASURES = ("full", "covered")


def _treaty_groups(treaty: Treaty) -> set[str]:
    groups = {"all"}
    for chapter in treaty.chapters:
        groups.add(chapter.id)
        groups.update(f"{chapter.id}.{section.id}" for section in chapter.sections)
    return groups


def parse_legal_spec(text: str) -> LegalSpec:
    """``ets-185 II.1 full org=cert-py`` -> treaty, chapter or section, measure, organisation; ``ValueError`` if wrong."""
    treaties = {t.id: t for t in shipped_catalogue().treaties}
    found: dict[str, str] = {}
    organisation: str | None = None
    for word in text.split():
        name, sep, value = word.partition("=")
        if sep:
            if name.lower() != "org" or not value:
                raise ValueError(_("Write the organisation as org=short name, not %(word)r.") % {"word": word[:40]})
            if organisation is not None:
                raise ValueError(_("Name one organisation only."))
            organisation = value
            continue
        kind = "treaty" if word.lower() in treaties else "measure" if word.lower() in LEGAL_MEASURES else "group"
        if kind in found:
            raise ValueError(_("%(word)r repeats the %(kind)s.") % {"word": word[:40], "kind": _part_name(kind)})
        found[kind] = word.lower() if kind != "group" else word.upper() if word.lower() != "all" else "all"
    treaty_id = found.get("treaty", CONVENTION)
    default_group = LegalSpec.group if treaty_id == CONVENTION else "all"
    group = found.get("group", default_group)
    if group not in _treaty_groups(treaties[treaty_id]):
        raise ValueError(
            _("%(group)r is not a chapter or section of %(treaty)s: write e.g. II, II.1 or all.")
            % {"group": group[:30], "treaty": treaties[treaty_id].code}
        )
    return LegalSpec(treaty_id, group, found.get("measure", "full"), organisation)


@dataclass(frozen=True)
class TrainingSpec:
    audience: str
    topic: str | None = None
    measure: str = "cumulative"
    institution: str = ""
    organisation: str | None = None


TRAINING_MEASURES = ("cumulative", "year")


def _part_name(kind: str) -> str:
    """The translated name of a part of a training KPI's detail, for the messages that name it."""
    names = {
        "audience": pgettext("training KPI part", "audience"),
        "topic": pgettext("training KPI part", "topic"),
        "measure": pgettext("training KPI part", "measure"),
        "org": pgettext("training KPI part", "organisation"),
        "institution": pgettext("training KPI part", "institution"),
    }
    return names.get(kind, kind)


def parse_training_spec(text: str) -> TrainingSpec:
    """``judges electronic-evidence cumulative institution="Corte Suprema" org=cert-py`` -> the parts; ``ValueError``."""
    try:
        words = shlex.split(text)
    except ValueError:
        raise ValueError(_("Close the quotes around the institution's name.")) from None
    audiences, topics = audience_keys(), topic_keys()
    found: dict[str, str] = {}
    named: dict[str, str] = {}
    for word in words:
        name, sep, value = word.partition("=")
        if sep:
            if name.lower() not in ("org", "institution") or not value.strip():
                raise ValueError(_('Write org=short name or institution="name", not %(word)r.') % {"word": word[:40]})
            if name.lower() in named:
                raise ValueError(
                    _("%(word)r repeats the %(kind)s.") % {"word": word[:40], "kind": _part_name(name.lower())}
                )
            named[name.lower()] = value.strip()
            continue
        lowered = word.lower()
        if lowered in audiences:
            kind = "audience"
        elif lowered in topics or lowered == "any":
            kind = "topic"
        elif lowered in TRAINING_MEASURES:
            kind = "measure"
        else:
            raise ValueError(
                _("%(word)r is no audience, topic or measure: write e.g. judges electronic-evidence cumulative.")
                % {"word": word[:40]}
            )
        if kind in found:
            raise ValueError(_("%(word)r repeats the %(kind)s.") % {"word": word[:40], "kind": _part_name(kind)})
        found[kind] = lowered
    if "audience" not in found:
        raise ValueError(_("Name the audience: %(audiences)s.") % {"audiences": ", ".join(audiences)})
    topic = found.get("topic")
    return TrainingSpec(
        found["audience"],
        None if topic in (None, "any") else topic,
        found.get("measure", "cumulative"),
        named.get("institution", ""),
        named.get("org"),
    )


def check_source_detail(source: str, detail: str) -> str | None:
    """What is wrong with a KPI's source detail, or None."""
    try:
        if source == KPISource.TREND_METRIC:
            parse_trend_spec(detail)
        elif source == KPISource.ASSESSMENT_STAGE:
            parse_factor_spec(detail)
        elif source == KPISource.LEGAL_COVERAGE:
            parse_legal_spec(detail)
        elif source == KPISource.TRAINING_COVERAGE:
            parse_training_spec(detail)
    except ValueError as error:
        return str(error)
    return None


def window(kpi: KPI, as_of: datetime.date) -> tuple[datetime.date, datetime.date]:
    """First and last day (both included) of the frequency window ending on ``as_of``."""
    months = FREQUENCY_MONTHS[Frequency(kpi.frequency)]
    after = as_of + datetime.timedelta(days=1)
    month_index = after.year * 12 + after.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(after.day, _days_in(year, month + 1))
    return datetime.date(year, month + 1, day), as_of


def _days_in(year: int, month: int) -> int:
    following = datetime.date(year + (month == 12), month % 12 + 1, 1)
    return (following - datetime.timedelta(days=1)).day


@dataclass
class Computed:
    value: Decimal
    detail: dict[str, Any]


def compute(kpi: KPI, as_of: datetime.date, actor: User | None = None) -> Computed:
    """The KPI's value on ``as_of`` from platform data; ``ValidationError`` if it cannot be computed.

    ``actor`` is the person computing (None for the command line and the demo): threat figures
    count only the events they may read.
    """
    if kpi.source == KPISource.TREND_METRIC:
        return _trend(kpi, as_of, actor)
    if kpi.source == KPISource.ASSESSMENT_STAGE:
        return _stage(kpi, as_of)
    if kpi.source == KPISource.GAPS_CLOSED:
        return _gaps_closed(kpi, as_of)
    if kpi.source == KPISource.ACTIONS_COMPLETED:
        return _actions_completed(kpi, as_of)
    if kpi.source == KPISource.LEGAL_COVERAGE:
        return _legal_coverage(kpi, as_of, actor)
    if kpi.source == KPISource.TRAINING_COVERAGE:
        return _training_coverage(kpi, as_of, actor)
    raise ValidationError(_("This KPI is entered by hand; it has no platform data to compute from."))


def _store_and_labels(kpi: KPI, spec: TrendSpec, actor: User | None) -> tuple[Organisation, tuple[str, ...] | None]:
    """The organisation whose events are counted, and the TLP labels counted (None: all).

    Another organisation's store is counted only through a live grant to the strategy's organisation, at
    the labels the release rule lets cross it (never AMBER+STRICT or RED), whoever computes the figure;
    a person computing it counts no more than they read themselves.
    """
    owner = kpi.strategy.organisation
    store = owner
    if spec.store is not None and spec.store != owner.slug:
        found = Organisation.objects.filter(slug=spec.store).first()
        if found is None:
            raise ValidationError(
                {
                    "source_detail": _("There is no organisation with the short name %(slug)r.")
                    % {"slug": spec.store[:60]}
                }
            )
        store = found
    granted = organisation_store_labels(owner, store) if store != owner else None
    if granted is not None and not granted:
        raise ValidationError(
            _("%(owner)s has no grant to read the store of %(store)s: its events cannot be counted.")
            % {"owner": str(owner), "store": str(store)}
        )
    if actor is None or not actor.pk:
        return store, None if granted is None else tuple(granted)
    role = role_in(actor, owner.pk)
    if role is None:
        raise ValidationError(
            _("Only members of %(organisation)s may compute a figure from its events.") % {"organisation": str(owner)}
        )
    own = set(ROLE_TLP[role]) if granted is None else {label for label in granted if label in ROLE_TLP[role]}
    return store, tuple(sorted(own))


def _trend(kpi: KPI, as_of: datetime.date, actor: User | None) -> Computed:
    try:
        spec = parse_trend_spec(kpi.source_detail)
    except ValueError as error:
        raise ValidationError({"source_detail": str(error)}) from None
    first, last = window(kpi, as_of)
    owner, labels = _store_and_labels(kpi, spec, actor)
    scope = Scope(
        Period(first, last + datetime.timedelta(days=1), "range"),
        **{FILTERS[name]: values for name, values in spec.filters.items()},
        tlp_in=labels,
    )
    metric = FIGURES[spec.figure]
    store = event_store(owner)
    engine = analytics_engine()
    try:
        results = compute_metrics(store, scope, engine, trend_tables=True, only=[metric])
    finally:
        engine.close()
    rows = results.rows(metric)
    if spec.figure == "events":
        value = int(rows[0]["events"] or 0) if rows else 0
    elif spec.figure == "sources":
        value = int(rows[0]["sources"] or 0) if rows else 0
    else:
        value = sum(int(r["events"] or 0) for r in rows)
    return Computed(
        Decimal(value),
        {
            "source": KPISource.TREND_METRIC,
            "figure": spec.figure,
            "filters": {k: list(v) for k, v in spec.filters.items()},
            "from": first.isoformat(),
            "to": last.isoformat(),
            "store": owner.slug,
            "store_text": describe_store_for(kpi.strategy.organisation, owner),
            "tlp": None if labels is None else list(labels),
        },
    )


def _stage(kpi: KPI, as_of: datetime.date) -> Computed:
    try:
        framework_id, factor_id = parse_factor_spec(kpi.source_detail)
    except ValueError as error:
        raise ValidationError({"source_detail": str(error)}) from None
    strategy = kpi.strategy
    assessment = latest_assessment_of(strategy.organisation, strategy.country, as_of, framework_id)
    if assessment is None:
        raise ValidationError(
            _("There is no capacity assessment of %(country)s dated on or before %(date)s.")
            % {"country": strategy.country.name, "date": as_of.isoformat()}
        )
    structure, results = score_assessment(assessment)
    if factor_id not in results:
        raise ValidationError(
            {
                "source_detail": _("Factor %(factor)s is not in the framework %(framework)s.")
                % {"factor": factor_id, "framework": assessment.framework.key}
            }
        )
    stage = results[factor_id].stage
    if stage is None:
        raise ValidationError(
            _(
                "Factor %(factor)s is not assessed in %(assessment)s (no indicator answered); there is no stage to record."
            )
            % {"factor": factor_id, "assessment": str(assessment)}
        )
    return Computed(
        Decimal(stage),
        {
            "source": KPISource.ASSESSMENT_STAGE,
            "factor": factor_id,
            "stage_name": structure.stage(stage).name.en,
            "assessment": assessment.pk,
            "assessment_title": str(assessment),
            "framework": assessment.framework.key,
        },
    )


def _percent(part: int, whole: int) -> Decimal:
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _gaps_closed(kpi: KPI, as_of: datetime.date) -> Computed:
    strategy = kpi.strategy
    whole_strategy = kpi.source_detail.strip().lower() == "strategy"
    if whole_strategy:
        links = ActionGap.objects.filter(action__strategy=strategy)
    elif kpi.element_id is not None:  # an axis's or objective's KPI: the gaps of the actions under it
        links = ActionGap.objects.filter(action__parent_id__in=_descendant_ids(kpi.element_id, strategy.pk))
    else:
        links = ActionGap.objects.filter(action=kpi.action)
    gaps = gaps_with_ids(links.values_list("gap_id", flat=True))
    total = gaps.count()
    if total == 0:
        raise ValidationError(_("No gap is linked yet; link the gaps the action addresses first."))
    end = datetime.datetime.combine(
        as_of + datetime.timedelta(days=1), datetime.time(), tzinfo=timezone.get_current_timezone()
    )
    closed = count_closed_before(gaps, end)
    return Computed(
        _percent(closed, total),
        {
            "source": KPISource.GAPS_CLOSED,
            "closed": closed,
            "linked": total,
            "scope": "strategy" if whole_strategy else kpi.level,
        },
    )


def _actions_completed(kpi: KPI, as_of: datetime.date) -> Computed:
    strategy = kpi.strategy
    scope = kpi.source_detail.strip().lower() or "axis"
    actions = Action.objects.filter(strategy=strategy).exclude(status=ActionStatus.CANCELLED)
    if scope != "strategy" and kpi.element is not None:
        # An axis's or objective's KPI counts the actions under that element.
        actions = actions.filter(parent_id__in=_descendant_ids(kpi.element.pk, strategy.pk))
        scope = f"{kpi.element.kind} {kpi.element.code}"
    elif scope != "strategy" and kpi.action is not None:
        axis = kpi.action.parent
        while axis.parent is not None:
            axis = axis.parent
        axis_ids = _descendant_ids(axis.pk, strategy.pk)
        actions = actions.filter(parent_id__in=axis_ids)
        scope = f"axis {axis.code}"
    total = actions.count()
    done = 0
    for action in actions:
        latest = action.updates.filter(date__lte=as_of).order_by("-date", "-id").first()
        if latest is not None and latest.status == ActionStatus.COMPLETED:
            done += 1
    if total == 0:
        raise ValidationError(_("There is no action to count."))
    return Computed(
        _percent(done, total),
        {"source": KPISource.ACTIONS_COMPLETED, "completed": done, "actions": total, "scope": scope},
    )


def _legal_coverage(kpi: KPI, as_of: datetime.date, actor: User | None) -> Computed:
    try:
        spec = parse_legal_spec(kpi.source_detail)
    except ValueError as error:
        raise ValidationError({"source_detail": str(error)}) from None
    strategy = kpi.strategy
    owner = strategy.organisation
    reviewer = owner
    if spec.organisation is not None and spec.organisation != owner.slug:
        found = Organisation.objects.filter(slug=spec.organisation).first()
        if found is None:
            raise ValidationError(
                {
                    "source_detail": _("There is no organisation with the short name %(slug)r.")
                    % {"slug": spec.organisation[:60]}
                }
            )
        reviewer = found
    labels: list[str] | None = None
    if actor is not None and actor.pk:
        role = role_in(actor, owner.pk)
        if role is None:
            raise ValidationError(
                _("Only members of %(organisation)s may compute its KPIs.") % {"organisation": str(owner)}
            )
        labels = sorted(ROLE_TLP[role])
    review = latest_approved_review_for(owner.pk, reviewer.pk, strategy.country.code, as_of, labels)
    if review is None:
        raise ValidationError(
            _(
                "There is no approved alignment review of %(country)s by %(organisation)s dated on or before "
                "%(date)s that %(reader)s may read."
            )
            % {"country": strategy.country.name, "organisation": str(reviewer), "date": as_of, "reader": str(owner)}
        )
    catalogue = shipped_catalogue()
    treaty = catalogue.treaty(spec.treaty)
    findings = review.findings()
    row = GroupCoverage(treaty.id, spec.group, treaty.title)
    for article in treaty.articles:
        if spec.group in ("all", article.group, article.chapter):
            row.add(findings.get(article.key, ""))
    counted = row.full if spec.measure == "full" else row.full + row.partial
    if not row.applicable:
        raise ValidationError(
            _("Every provision of %(group)s is not applicable in %(review)s: there is no share to compute.")
            % {"group": spec.group, "review": str(review)}
        )
    return Computed(
        _percent(counted, row.applicable),
        {
            "source": KPISource.LEGAL_COVERAGE,
            "treaty": treaty.code,
            "group": spec.group,
            "measure": spec.measure,
            "counted": counted,
            "applicable": row.applicable,
            "review": review.pk,
            "review_title": str(review),
            "organisation": reviewer.slug,
        },
    )


def _training_coverage(kpi: KPI, as_of: datetime.date, actor: User | None) -> Computed:
    try:
        spec = parse_training_spec(kpi.source_detail)
    except ValueError as error:
        raise ValidationError({"source_detail": str(error)}) from None
    owner = kpi.strategy.organisation
    trainer = owner
    if spec.organisation is not None and spec.organisation != owner.slug:
        found = Organisation.objects.filter(slug=spec.organisation).first()
        if found is None:
            raise ValidationError(
                {
                    "source_detail": _("There is no organisation with the short name %(slug)r.")
                    % {"slug": spec.organisation[:60]}
                }
            )
        trainer = found
    labels: list[str] | None = None
    if actor is not None and actor.pk:
        role = role_in(actor, owner.pk)
        if role is None:
            raise ValidationError(
                _("Only members of %(organisation)s may compute its KPIs.") % {"organisation": str(owner)}
            )
        labels = sorted(ROLE_TLP[role])
    figure = coverage_figure(
        owner.pk,
        trainer.pk,
        audience=spec.audience,
        topic=spec.topic,
        as_of=as_of,
        institution=spec.institution,
        labels=labels,
    )
    row = figure.row
    if row is None or row.denominator is None:
        where = spec.institution or _("nationally")
        raise ValidationError(
            _(
                "No audience size is recorded for %(audience)s (%(where)s) in %(year)s by %(organisation)s: "
                "there is no share to compute."
            )
            % {"audience": spec.audience, "where": where, "year": as_of.year, "organisation": str(trainer)}
        )
    trained = row.cumulative_trained if spec.measure == "cumulative" else row.trained
    return Computed(
        _percent(trained, row.denominator),
        {
            "source": KPISource.TRAINING_COVERAGE,
            "audience": spec.audience,
            "topic": spec.topic or "any",
            "measure": spec.measure,
            "institution": spec.institution,
            "year": as_of.year,
            "trained": trained,
            "size": row.denominator,
            "organisation": trainer.slug,
        },
    )


def _descendant_ids(root_id: int, strategy_id: int) -> set[int]:
    parents = dict(Element.objects.filter(strategy_id=strategy_id).values_list("pk", "parent_id"))
    out = {root_id}
    changed = True
    while changed:
        changed = False
        for pk, parent in parents.items():
            if parent in out and pk not in out:
                out.add(pk)
                changed = True
    return out


def latest_value(kpi: KPI) -> KPIMeasurement | None:
    return kpi.measurements.order_by("-date", "-id").first()


def progress_towards_target(kpi: KPI, value: Decimal | None) -> float | None:
    """How far the value has come from the baseline to the target, 0 to 1 (None without both)."""
    if value is None or kpi.baseline is None or kpi.target is None or kpi.target == kpi.baseline:
        return None
    share = float((value - kpi.baseline) / (kpi.target - kpi.baseline))
    return max(0.0, min(1.0, share))
