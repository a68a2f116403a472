"""The demo's ILLUSTRATIVE national cybersecurity strategy of Paraguay, after the ENC 2025-2028.

The structure is in ``demo/paraguay-illustrative.yaml`` and is loaded with the structure importer.
It illustrates Paraguay's Estrategia Nacional de Ciberseguridad 2025-2028 (Decree 3900 of 22 May
2025, which replaced the 2017 plan): its period, principles and seven axes follow public reports
of the ENC, and the data file cites, for each statement, the reference fact it relies on
(docs/reference/demo-workspace.md lists the sources). Each axis has an impact indicator and some
objectives an outcome indicator, beside the actions' output indicators. Objectives, actions, dates,
budgets, KPI figures and progress are invented to show the platform, and version 1's legal reference says
that it illustrates the decree. Actions cite the demo's gaps by source key; a gap the register
lacks is skipped with a note. Building it twice creates nothing new: an existing demo strategy
(also one built under an earlier title) is left as it is.

The budget is planned in guaraníes (PYG) by year and funding source: each action's single budget
of the data file (in USD) becomes yearly lines over the action's years at an illustrative rate,
international cooperation stated in USD and converted at the illustrative rates the demo states,
"mixed" funding split between the national budget and the regional cooperation, and "to be
defined" left unfunded. Some progress updates report an amount executed (one above its plan).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cyberplan.core.models import Organisation, User
from cyberplan.threats.store import event_store

from . import actions as act
from . import budget_actions
from .choices import (
    ActionStatus,
    EvaluationKind,
    EvaluatorType,
    FundingSource,
    KPISource,
    RecommendationPriority,
    RecommendationResponse,
    Resolution,
    RiskKind,
    VersionStatus,
)
from .importing.importer import import_structure
from .kpis import parse_trend_spec
from .models import KPI, Action, Element, Strategy
from .monitoring.views import warm_overview_charts
from .oversight import actions as oversight
from .versions import actions as version_act

STRUCTURE = Path(__file__).resolve().parent / "demo" / "paraguay-illustrative.yaml"
TITLE = "National Cybersecurity Strategy of Paraguay 2025-2028 (illustrative, after Decree 3900/2025)"
#: Titles the demo strategy had before; a workspace built then is not given a second one.
EARLIER_TITLES = ("National Cybersecurity Strategy of Paraguay (illustrative)",)
# Decree 3900 of 22 May 2025 adopted the ENC 2025-2028 (reference facts §6, "Update").
LEGAL_REFERENCE = "Illustrates Decreto 3900/2025 (22 May 2025); not the decree's text"

# The ENC 2025-2028 was adopted by Decree 3900 of 22 May 2025 (reference facts §6, "Update"): its
# review cycle counts from that date.
ADOPTED_ON = datetime.date(2025, 5, 22)

# The body responsible for each axis: (axis code, organisation slug or None, named body, contact role).
# Illustrative: the governance text's "one working group per axis"; the organisations are the demo's.
AXIS_OWNERS: list[tuple[str, str | None, str, str]] = [
    ("1", "mitic", "Illustrative working group on awareness and culture", "Coordinator (illustrative)"),
    ("2", "mitic", "Illustrative working group on research and innovation", "Coordinator (illustrative)"),
    ("3", "cnc", "Illustrative subcommittee on critical infrastructure", "Chair of the subcommittee (illustrative)"),
    ("4", "cert-py", "", "Head of CERT-PY (illustrative)"),
    ("5", "ministerio-publico", "", "Head of the computer-crime unit (illustrative)"),
    ("6", "mitic", "Illustrative working group on digital public administration", "Coordinator (illustrative)"),
    ("7", "cnc", "", "Technical secretariat of the commission (illustrative)"),
]

# One risk or assumption per objective: (objective code, kind, text, likelihood, impact, mitigation, owner).
RISKS: list[tuple[str, str, str, int | None, int | None, str, str]] = [
    (
        "1.1",
        RiskKind.ASSUMPTION,
        "Illustrative: media partners carry the campaigns free of charge.",
        3,
        3,
        "Illustrative: budget a paid wave as fallback.",
        "MITIC communications (illustrative)",
    ),
    (
        "2.1",
        RiskKind.RISK,
        "Illustrative: research grants are not renewed.",
        3,
        4,
        "Illustrative: seek co-funding from co-operation partners.",
        "MITIC (illustrative)",
    ),
    (
        "3.1",
        RiskKind.RISK,
        "Illustrative: operators do not share their asset inventories.",
        4,
        4,
        "Illustrative: a confidentiality agreement and sector meetings.",
        "CNC subcommittee (illustrative)",
    ),
    (
        "4.1",
        RiskKind.RISK,
        "Illustrative: trained analysts leave CERT-PY for the private sector.",
        4,
        3,
        "Illustrative: a retention plan and shared training.",
        "CERT-PY (illustrative)",
    ),
    (
        "5.1",
        RiskKind.ASSUMPTION,
        "Illustrative: Congress approves the Second Additional Protocol in the period.",
        None,
        None,
        "Illustrative: brief the committees early.",
        "MRE (illustrative)",
    ),
    (
        "5.2",
        RiskKind.RISK,
        "Illustrative: forensic equipment arrives late.",
        2,
        3,
        "Illustrative: order through a framework contract.",
        "Ministerio Público (illustrative)",
    ),
    (
        "6.1",
        RiskKind.RISK,
        "Illustrative: ministries lack staff to apply the controls.",
        4,
        4,
        "Illustrative: a shared security officer for small institutions.",
        "MITIC (illustrative)",
    ),
    (
        "6.2",
        RiskKind.ASSUMPTION,
        "Illustrative: institutions release staff for training.",
        3,
        2,
        "Illustrative: online modules in working hours.",
        "MITIC (illustrative)",
    ),
    (
        "7.1",
        RiskKind.RISK,
        "Illustrative: the commission meets too rarely to steer the strategy.",
        3,
        4,
        "Illustrative: a fixed quarterly calendar.",
        "CNC (illustrative)",
    ),
    (
        "7.2",
        RiskKind.RISK,
        "Illustrative: the data protection agency is not staffed in time.",
        3,
        4,
        "Illustrative: a staffing plan in the 2026 budget.",
        "MITIC (illustrative)",
    ),
]

# (action code, days before today, status, percent, narrative): the demo's progress reports.
PROGRESS: list[tuple[str, int, str, int, str]] = [
    ("1.1.1.1", 45, ActionStatus.IN_PROGRESS, 35, "Illustrative: first campaign wave on social media and radio."),
    ("6.2.1.1", 30, ActionStatus.IN_PROGRESS, 60, "Illustrative: 120 public servants trained so far."),
    ("4.1.1.1", 60, ActionStatus.IN_PROGRESS, 50, "Illustrative: night shift staffed; weekend shift recruiting."),
    ("6.1.1.2", 90, ActionStatus.COMPLETED, 100, "Illustrative: every ministry named its security officer."),
    # Ends 31 March 2026 and is not done: the monitoring page flags it as overdue.
    ("6.1.1.1", 20, ActionStatus.DELAYED, 40, "Illustrative: the controls are drafted; adoption is late."),
]

# Illustrative rates (guaraníes per US dollar), not official ones: the demo's own figures.
RATES: list[tuple[int, str]] = [(2025, "7500"), (2026, "7300")]
RATE_SOURCE = "Illustrative rate for the demo, not an official exchange rate"
# The demo's budgets are converted into guaraníes at this illustrative rate.
PYG_PER_USD = Decimal(7500)
# (action code -> amount executed in the year of its progress update, in PYG; funding source or "" not stated)
EXECUTED: dict[str, tuple[str, str]] = {
    "1.1.1.1": ("250000000", FundingSource.NATIONAL_BUDGET),
    "6.2.1.1": ("180000000", FundingSource.INSTITUTION_BUDGET),
    # Above its plan for the year: the monitoring page and the report say so.
    "4.1.1.1": ("1200000000", FundingSource.NATIONAL_BUDGET),
    "6.1.1.1": ("60000000", ""),
}
# (element code, start of the KPI's English name, days before today, value): measurements of the
# indicators of axes (impact) and objectives (outcome). Invented, between baseline and target.
ELEMENT_MEASUREMENTS: list[tuple[str, str, int, str]] = [
    ("1", "Share of the respondents", 40, "38"),
    ("2", "Cybersecurity research papers", 40, "6"),
    ("3", "Significant incidents that interrupted", 40, "5"),
    ("4", "Median time to contain", 40, "80"),
    ("4.1", "Sectoral CSIRTs", 40, "1"),
    ("5", "Cybercrime cases brought to trial", 40, "11"),
    ("5.1", "Requests for mutual legal assistance", 40, "4"),
    ("6", "Government institutions whose services", 40, "8"),
    ("6.1", "Public institutions that passed", 40, "4"),
]


def build_strategy_demo(
    organisation: Organisation, actor: User | None, say: Callable[[str], None] = lambda _message: None
) -> tuple[Strategy, bool]:
    """The illustrative strategy owned by ``organisation``; ``True`` when it was created now."""
    titles = (TITLE, *EARLIER_TITLES)
    existing = Strategy.objects.filter(organisation=organisation, title_en__in=titles, illustrative=True).first()
    if existing is not None:
        say(f"The illustrative strategy of Paraguay exists already (number {existing.pk}).")
        return existing, False
    with transaction.atomic():
        result = import_structure(
            actor,
            STRUCTURE.read_bytes(),
            STRUCTURE.name,
            organisation=organisation,
            create={},
            skip_missing_gaps=True,
        )
        if not result.ok or result.strategy is None:
            raise ValidationError([str(p) for p in result.problems])
        strategy = result.strategy
        for note in result.notes:
            say(f"note: {note}")
        _versions(strategy, actor)
        _budget(strategy, actor)
        _progress(strategy, actor)
        _oversight(strategy, actor)
    computed = _compute(strategy, actor, say)
    say(
        f"Built the illustrative strategy of Paraguay (number {strategy.pk}): {result.summary()}; "
        f"{computed} KPI values computed from platform data."
    )
    return strategy, True


def _versions(strategy: Strategy, actor: User | None) -> None:
    """v1 consulted, one comment resolved, approved and published; then changes and a v2 draft."""
    consultees = list(Organisation.objects.filter(slug__in=["cnc", "cert-py"]))
    act.do_set_consultees(actor, strategy, consultees)
    act.do_set_phase(actor, strategy, "production")
    first = version_act.do_create_version(actor, strategy, "Illustrative first version, for consultation.")
    first = version_act.do_move_version(actor, first, VersionStatus.CONSULTATION)
    commenter = User.objects.filter(username="demo-csirt").first()
    on_behalf = next((o for o in consultees if o.slug == "cert-py"), None)
    response = strategy.elements.filter(code="4").first()
    if on_behalf is not None and response is not None:
        comment = version_act.do_add_comment(
            commenter,
            first,
            on_behalf,
            section=response.uid,
            text="Illustrative comment: the axis should name the sectoral CSIRTs the national CSIRT coordinates.",
        )
        version_act.do_resolve_comment(
            actor,
            comment,
            None,
            resolution=Resolution.ACCEPTED,
            note="Illustrative: taken into the next version.",
        )
    first = version_act.do_move_version(actor, first, VersionStatus.APPROVED)
    version_act.do_move_version(actor, first, VersionStatus.PUBLISHED, legal_reference=LEGAL_REFERENCE)
    # The working copy moves on after publication: what version 2 changes.
    axis = strategy.elements.get(code="4")
    act.do_update_element(
        actor,
        axis,
        None,
        description_en="Illustrative: the national CSIRT coordinates the sectoral CSIRTs (from the consultation).",
        description_es="Ilustrativo: el CSIRT nacional coordina a los CSIRT sectoriales (de la consulta).",
    )
    campaign = Action.objects.get(strategy=strategy, code="1.1.1.1")
    act.do_update_action(actor, campaign, None, budget=Decimal("220000.00"))
    target = KPI.objects.filter(action=campaign).first()
    if target is not None:
        act.do_update_kpi(actor, target, None, target="750000")
    line = strategy.elements.get(code="6.1.1")
    act.do_create_action(
        actor,
        strategy,
        parent=line,
        code="6.1.1.3",
        title_en="Publish a yearly report on the security of public institutions",
        title_es="Publicar un informe anual sobre la seguridad de las instituciones públicas",
        lead=strategy.organisation,
        start_date=datetime.date(2026, 1, 1),
        end_date=datetime.date(2028, 12, 31),
        budget=15000,
        currency="USD",
        funding_source="national_budget",
    )
    version_act.do_create_version(
        actor, strategy, "Illustrative second version: changes after the consultation (draft)."
    )


def _progress(strategy: Strategy, actor: User | None) -> None:
    today = timezone.localdate()
    for code, days, status, percent, narrative in PROGRESS:
        action = Action.objects.filter(strategy=strategy, code=code).first()
        if action is None:
            continue
        act.do_report_progress(
            actor,
            action,
            date=today - datetime.timedelta(days=days),
            status=status,
            percent_complete=percent,
            narrative=narrative,
            executed_amount=EXECUTED[code][0] if code in EXECUTED else None,
            executed_source=EXECUTED[code][1] if code in EXECUTED else "",
        )
    for code, name, days, value in ELEMENT_MEASUREMENTS:
        indicator = KPI.objects.filter(element__strategy=strategy, element__code=code, name_en__startswith=name).first()
        if indicator is not None:
            act.do_record_measurement(
                actor, indicator, date=today - datetime.timedelta(days=days), value=value, note="Illustrative value."
            )
    handlers = KPI.objects.filter(action__strategy=strategy, action__code="6.2.1.1").first()
    if handlers is not None:
        act.do_record_measurement(
            actor, handlers, date=today - datetime.timedelta(days=30), value=120, note="Illustrative value."
        )


def _oversight(strategy: Strategy, actor: User | None) -> None:
    """Adoption date, responsible bodies, an illustrative internal review and a scheduled mid-term evaluation, risks."""
    act.do_update_strategy(actor, strategy, None, adopted_on=ADOPTED_ON)
    strategy.refresh_from_db()
    for code, slug, body, role in AXIS_OWNERS:
        axis = Element.objects.filter(strategy=strategy, code=code).first()
        if axis is None:
            continue
        organisation = Organisation.objects.filter(slug=slug).first() if slug else None
        oversight.do_set_axis_owner(actor, axis, organisation=organisation, body=body, contact_role=role)
    for code, kind, text, likelihood, impact, mitigation, owner in RISKS:
        objective = Element.objects.filter(strategy=strategy, code=code).first()
        if objective is None:
            continue
        oversight.do_create_risk(
            actor,
            objective,
            kind=kind,
            text=text,
            likelihood=likelihood,
            impact=impact,
            mitigation=mitigation,
            owner=owner,
            review_on=datetime.date(2027, 3, 31),
        )
    today = timezone.localdate()
    review = oversight.do_create_evaluation(
        actor,
        strategy,
        kind=EvaluationKind.AD_HOC,
        date=today - datetime.timedelta(days=40),
        evaluator="MITIC strategy team (illustrative)",
        evaluator_type=EvaluatorType.INTERNAL,
        scope="Illustrative internal review of the first year of implementation.",
        findings="Illustrative: awareness and incident response progress; public administration controls are late.",
    )
    late = Action.objects.filter(strategy=strategy, code="6.1.1.1").first()
    first = oversight.do_create_recommendation(
        actor,
        review,
        text="Illustrative: give the ministries a shared security officer to apply the controls.",
        priority=RecommendationPriority.HIGH,
        response=RecommendationResponse.ACCEPTED,
        response_note="Illustrative: followed by the action on the controls.",
    )
    if late is not None:
        oversight.do_link_recommendation(actor, first, action=late)
    oversight.do_create_recommendation(
        actor,
        review,
        text="Illustrative: publish the progress of each axis every six months.",
        priority=RecommendationPriority.MEDIUM,
    )
    # The mid-term evaluation, planned half-way through the period (or soon, once that date has passed).
    oversight.do_create_evaluation(
        actor,
        strategy,
        kind=EvaluationKind.MID_TERM,
        date=max(datetime.date(2027, 3, 31), today + datetime.timedelta(days=30)),
        evaluator="To be selected (illustrative)",
        evaluator_type=EvaluatorType.INDEPENDENT,
        scope="Illustrative: relevance, effectiveness and efficiency of the seven axes at mid-term.",
    )


def _budget(strategy: Strategy, actor: User | None) -> None:
    """The plan in guaraníes: yearly budget lines per action and funding source, and the illustrative rates."""
    budget_actions.do_set_plan_currency(actor, strategy, "PYG")
    for year, rate in RATES:
        budget_actions.do_add_rate(actor, strategy, base="USD", quote="PYG", year=year, rate=rate, source=RATE_SOURCE)
    for action in Action.objects.filter(strategy=strategy).order_by("code"):
        if not action.budget:
            if action.budget is not None:  # nothing to spend: zero in any currency
                act.do_update_action(actor, action, None, currency="PYG")
            continue
        first = max(action.start_date.year if action.start_date else strategy.start_year, strategy.start_year)
        last = min(action.end_date.year if action.end_date else strategy.end_year, strategy.end_year)
        years = list(range(first, last + 1))
        usd, source = action.budget, action.funding_source
        shares = (
            [(FundingSource.NATIONAL_BUDGET, Decimal("0.6")), (FundingSource.INTERNATIONAL, Decimal("0.4"))]
            if source == FundingSource.MIXED
            else [(source, Decimal(1))]
        )
        for funding, share in shares:
            for year in years:
                if funding == FundingSource.INTERNATIONAL:
                    # Cooperation is agreed in US dollars: the line states it, converted at the year's rate.
                    amount, currency = (usd * share / len(years)).quantize(Decimal(100)), "USD"
                    note = "Regional cooperation programme (illustrative)"
                else:
                    amount = (usd * share * PYG_PER_USD / len(years)).quantize(Decimal(1000000))
                    currency, note = "PYG", ""
                budget_actions.do_add_budget_line(
                    actor, action, year=year, funding_source=funding, amount=amount, currency=currency, note=note
                )


def _compute(strategy: Strategy, actor: User | None, say: Callable[[str], None]) -> int:
    """Compute the automatic KPIs where the demo has data; say why where it has none.

    The demo is built by the operator, so the computation runs without a person (``None``): the
    threat KPI reads CERT-PY's store, of which the demo coordinator is not a member.
    """
    today = timezone.localdate()
    done = 0
    for kpi in KPI.objects.of_strategies(strategy).exclude(source=KPISource.MANUAL).order_by("id"):
        if kpi.source == KPISource.TREND_METRIC and not _has_events(kpi):
            say(f"note: KPI {kpi.name_en!r} not computed: its event store holds no threat events yet.")
            continue
        try:
            act.do_compute_kpi(None, kpi, today)
        except ValidationError as error:
            say(f"note: KPI {kpi.name_en!r} not computed: {' '.join(error.messages)}")
        else:
            done += 1
    return done


def _has_events(kpi: KPI) -> bool:
    """An empty store would give a misleading zero."""
    owner = kpi.strategy.organisation
    slug = parse_trend_spec(kpi.source_detail).store
    store = Organisation.objects.filter(slug=slug).first() if slug else owner
    return store is not None and bool(event_store(store).files())


def build_demo_strategy_for_workspace(say: Callable[[str], None] = lambda _message: None) -> Strategy:
    """The strategy of the demo workspace: owned by MITIC, recorded by the demo coordinator."""
    organisation = Organisation.objects.get(slug="mitic")
    actor = User.objects.filter(username="demo-coordinator").first()
    strategy = build_strategy_demo(organisation, actor, say)[0]
    # The monitoring page's charts, drawn now so that its first visit does not start the renderer.
    warm_overview_charts(strategy)
    return strategy
