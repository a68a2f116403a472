"""Writes to strategies: structure, actions, KPIs, progress and lifecycle tasks. All audited.

Every function checks what the data must satisfy (kinds of parents, no cycles, dates in order,
values in the KPI's unit) and raises ``ValidationError`` with a message naming the field; the
caller keeps what the user typed. Updates take the version the editor loaded and raise
``ConcurrentEditError`` when someone saved in between, so no edit is lost. The writes to versions
and their consultation are in ``versions/actions.py``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cyberplan.core import audit
from cyberplan.core.choices import AuditAction
from cyberplan.core.models import Organisation, User
from cyberplan.core.uploads import safe_filename, validate_evidence_file
from cyberplan.gaps.actions import do_set_gap_status
from cyberplan.gaps.choices import GapStatus
from cyberplan.gaps.models import Gap

from . import access, budget, fields, kpis
from .choices import (
    CLOSED_ACTION_STATUSES,
    PARENT_KIND,
    PHASE_ORDER,
    ActionStatus,
    ElementKind,
    KPISource,
    MeasurementOrigin,
)
from .lifecycle import DEFAULT_TASKS
from .models import (
    DEFAULT_INDICATOR_TYPE,
    KPI,
    Action,
    ActionGap,
    Element,
    KPIMeasurement,
    PhaseTask,
    Principle,
    ProgressUpdate,
    Strategy,
)
from .units import check_kpi_values, check_value

STRATEGY_FIELDS = frozenset(
    {
        "title_en",
        "title_es",
        "country",
        "start_year",
        "end_year",
        "review_months",
        "adopted_on",
        "vision_en",
        "vision_es",
        "foreword_en",
        "foreword_es",
        "governance_en",
        "governance_es",
        "tlp",
        "illustrative",
        "progress_weighting",
    }
)
TEXT_FIELDS = frozenset(fields.TEXT_FIELDS)
ELEMENT_FIELDS = TEXT_FIELDS | {"code", "order", "focus_area", "parent"}
ACTION_FIELDS = TEXT_FIELDS | {
    "code",
    "order",
    "parent",
    "lead",
    "start_date",
    "end_date",
    "budget",
    "currency",
    "funding_source",
    "funding_note",
    "weight",
}
KPI_FIELDS = frozenset(fields.KPI_FIELDS)
TASK_FIELDS = TEXT_FIELDS | {"phase", "order", "responsible", "due_date", "evidence_url"}


class ConcurrentEditError(Exception):
    """The record changed since the editor loaded it; saving would overwrite someone else's edit."""

    def __init__(self, current: models.Model) -> None:
        super().__init__("stale version")
        self.current = current


def who(actor: User | None) -> User | None:
    return actor if actor is not None and actor.pk else None


def _check_fields(values: dict[str, Any], allowed: frozenset[str], what: str) -> None:
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"not {what} fields: {sorted(unknown)}")


def locked(model: type[models.Model], pk: int, expected_version: int | None) -> Any:
    current = model._default_manager.select_for_update().get(pk=pk)
    if expected_version is not None and current.version != expected_version:  # type: ignore[attr-defined]  # every model locked here has a version number
        raise ConcurrentEditError(current)
    return current


def _update(
    actor: User | None,
    model: type[models.Model],
    pk: int,
    expected_version: int | None,
    values: dict[str, Any],
    organisation: Organisation,
    check: Any = None,
) -> Any:
    current = locked(model, pk, expected_version)
    before = audit.snapshot(current)
    for name, value in values.items():
        setattr(current, name, value)
    if check is not None:
        check(current)
    if "code" in values and model in (Action, Element):
        taken = model._default_manager.filter(strategy_id=current.strategy_id, code=current.code).exclude(pk=pk)
        if taken.exists():
            raise ValidationError({"code": _duplicate_code_message(model)})
    try:
        with transaction.atomic():
            audit.save_versioned_update(actor, current, before, organisation)
    except IntegrityError:
        raise ValidationError({"code": _duplicate_code_message(model)}) from None
    return current


def _duplicate_code_message(model: type[models.Model]) -> str:
    if model is Action:
        return _("Another action of this strategy already has this code.")
    return _("Another element of this strategy already has this code.")


def _require_text(instance: Any, field: str = "title") -> None:
    if not (getattr(instance, f"{field}_en", "").strip() or getattr(instance, f"{field}_es", "").strip()):
        raise ValidationError({f"{field}_en": _("Give a title in English, in Spanish, or in both.")})


# --------------------------------------------------------------------------- strategy


def _check_strategy(strategy: Strategy) -> None:
    _require_text(strategy)
    if strategy.start_year and strategy.end_year and strategy.end_year < strategy.start_year:
        raise ValidationError({"end_year": _("The last year comes before the first year.")})


@transaction.atomic
def do_create_strategy(
    actor: User | None, organisation: Organisation, *, seed_tasks: bool = True, **values: Any
) -> Strategy:
    _check_fields(values, STRATEGY_FIELDS, "strategy")
    strategy = Strategy(organisation=organisation, created_by=who(actor), **values)
    _check_strategy(strategy)
    strategy.full_clean()
    strategy.save()
    audit.record_create(actor, strategy, organisation=organisation)
    if seed_tasks:
        for order, (key, phase, title_en, title_es) in enumerate(DEFAULT_TASKS):
            task = PhaseTask.objects.create(
                strategy=strategy, key=key, phase=phase, order=order, title_en=title_en, title_es=title_es
            )
            audit.record_create(actor, task, organisation=organisation)
    return strategy


@transaction.atomic
def do_update_strategy(actor: User | None, strategy: Strategy, expected_version: int | None, **values: Any) -> Strategy:
    _check_fields(values, STRATEGY_FIELDS, "strategy")
    result: Strategy = _update(
        actor, Strategy, strategy.pk, expected_version, values, strategy.organisation, _check_strategy
    )
    return result


@transaction.atomic
def do_set_phase(actor: User | None, strategy: Strategy, phase: str) -> Strategy:
    if phase not in PHASE_ORDER:
        raise ValidationError({"phase": _("Unknown phase.")})
    result: Strategy = _update(actor, Strategy, strategy.pk, None, {"phase": phase}, strategy.organisation)
    return result


@transaction.atomic
def do_set_consultees(actor: User | None, strategy: Strategy, organisations: list[Organisation]) -> None:
    before = sorted(strategy.consultees.values_list("pk", flat=True))
    after = sorted({o.pk for o in organisations} - {strategy.organisation_id})
    if before == after:
        return
    strategy.consultees.set(after)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=strategy,
        changes={"consultees": [before, after]},
        organisation=strategy.organisation,
    )


# --------------------------------------------------------------------------- principles


@transaction.atomic
def do_add_principle(actor: User | None, strategy: Strategy, **values: Any) -> Principle:
    _check_fields(values, TEXT_FIELDS | {"order"}, "principle")
    principle = Principle(strategy=strategy, **values)
    _require_text(principle)
    if "order" not in values:
        principle.order = strategy.principles.count() + 1
    principle.full_clean()
    principle.save()
    audit.record_create(actor, principle, organisation=strategy.organisation)
    return principle


@transaction.atomic
def do_update_principle(
    actor: User | None, principle: Principle, expected_version: int | None, **values: Any
) -> Principle:
    _check_fields(values, TEXT_FIELDS | {"order"}, "principle")
    result: Principle = _update(
        actor, Principle, principle.pk, expected_version, values, principle.strategy.organisation, _require_text
    )
    return result


@transaction.atomic
def do_delete_principle(actor: User | None, principle: Principle) -> None:
    audit.record_delete(actor, principle, audit.snapshot(principle), organisation=principle.strategy.organisation)
    principle.delete()


# --------------------------------------------------------------------------- elements


def _needs_parent_message(kind: str) -> str:
    if kind == ElementKind.OBJECTIVE:
        return _("An objective needs the axis it belongs to.")
    return _("An action line needs the objective it belongs to.")


def _wrong_parent_message(kind: str) -> str:
    if kind == ElementKind.OBJECTIVE:
        return _("An objective sits directly under an axis; choose an axis.")
    return _("An action line sits directly under an objective; choose an objective.")


def check_parent(kind: str, parent: Element | None, strategy: Strategy, element: Element | None = None) -> None:
    """An element's parent must be of the kind one level up, in the same strategy, and not below itself."""
    wanted = PARENT_KIND[ElementKind(kind)]
    if wanted is None:
        if parent is not None:
            raise ValidationError({"parent": _("An axis sits at the top of the strategy; it has no parent.")})
        return
    if parent is None:
        raise ValidationError({"parent": _needs_parent_message(kind)})
    if parent.strategy_id != strategy.pk:
        raise ValidationError({"parent": _("The parent belongs to another strategy.")})
    if parent.kind != wanted:
        raise ValidationError({"parent": _wrong_parent_message(kind)})
    if element is not None and element.pk:
        seen: set[int] = set()
        node: Element | None = parent
        while node is not None:
            if node.pk == element.pk or node.pk in seen:
                raise ValidationError({"parent": _("This would place the element under itself (a cycle).")})
            seen.add(node.pk)
            node = node.parent


def _check_element(element: Element) -> None:
    _require_text(element)
    check_parent(element.kind, element.parent, element.strategy, element)


@transaction.atomic
def do_create_element(
    actor: User | None, strategy: Strategy, *, kind: str, parent: Element | None = None, **values: Any
) -> Element:
    _check_fields(values, ELEMENT_FIELDS - {"parent"}, "element")
    if kind not in ElementKind.values:
        raise ValidationError({"kind": _("Unknown kind of element.")})
    element = Element(strategy=strategy, kind=kind, parent=parent, **values)
    _check_element(element)
    if strategy.elements.filter(code=element.code).exists():
        raise ValidationError({"code": _("Another element of this strategy already has this code.")})
    element.full_clean(validate_constraints=False)
    element.save()
    audit.record_create(actor, element, organisation=strategy.organisation)
    return element


@transaction.atomic
def do_update_element(actor: User | None, element: Element, expected_version: int | None, **values: Any) -> Element:
    _check_fields(values, ELEMENT_FIELDS, "element")
    result: Element = _update(
        actor, Element, element.pk, expected_version, values, element.strategy.organisation, _check_element
    )
    return result


@transaction.atomic
def do_delete_element(actor: User | None, element: Element) -> None:
    """Delete an element that has nothing under it: an element is never deleted with its children."""
    children = element.children.count()
    actions = element.actions.count()
    if children or actions:
        raise ValidationError(
            _("%(code)s still has %(children)d elements and %(actions)d actions under it; move or delete them first.")
            % {"code": element.code, "children": children, "actions": actions}
        )
    for kpi in element.kpis.all():
        audit.record_delete(actor, kpi, audit.snapshot(kpi), organisation=element.strategy.organisation)
    audit.record_delete(actor, element, audit.snapshot(element), organisation=element.strategy.organisation)
    element.delete()


# --------------------------------------------------------------------------- actions


def _check_action(action: Action) -> None:
    _require_text(action)
    if action.parent is None or action.parent.strategy_id != action.strategy_id:
        raise ValidationError({"parent": _("Choose the action line or objective of this strategy the action serves.")})
    if action.parent.kind == ElementKind.AXIS:
        raise ValidationError({"parent": _("An action serves an action line or an objective, not a whole axis.")})
    if action.start_date and action.end_date and action.end_date < action.start_date:
        raise ValidationError({"end_date": _("The end date comes before the start date.")})
    if action.currency and not (len(action.currency) == 3 and action.currency.isalpha()):
        raise ValidationError({"currency": _("Give a three-letter currency code, e.g. USD or PYG.")})
    action.currency = action.currency.upper()


@transaction.atomic
def do_create_action(
    actor: User | None,
    strategy: Strategy,
    *,
    parent: Element | None,
    supporting: list[Organisation] | None = None,
    gaps: list[Gap] | None = None,
    **values: Any,
) -> Action:
    _check_fields(values, ACTION_FIELDS - {"parent"}, "action")
    action = Action(strategy=strategy, parent=parent, created_by=who(actor), **values)
    if parent is None:
        raise ValidationError({"parent": _("Choose the action line or objective of this strategy the action serves.")})
    if not action.code:
        action.code = next_action_code(parent)
    _check_action(action)
    if strategy.actions.filter(code=action.code).exists():
        raise ValidationError({"code": _("Another action of this strategy already has this code.")})
    action.full_clean(validate_constraints=False)
    action.save()
    if supporting:
        action.supporting.set([o for o in supporting if o.pk != action.lead_id])
    audit.record_create(actor, action, organisation=strategy.organisation)
    for gap in gaps or []:
        do_link_gap(actor, action, gap)
    return action


def next_action_code(parent: Element) -> str:
    """The next free code under ``parent``: 1.2.3.1, 1.2.3.2, ..."""
    taken = set(parent.strategy.actions.values_list("code", flat=True))
    number = parent.actions.count() + 1
    while f"{parent.code}.{number}" in taken:
        number += 1
    return f"{parent.code}.{number}"


@transaction.atomic
def do_update_action(
    actor: User | None,
    action: Action,
    expected_version: int | None,
    *,
    supporting: list[Organisation] | None = None,
    **values: Any,
) -> Action:
    _check_fields(values, ACTION_FIELDS, "action")
    if action.budget_lines.exists():
        budget.check_budget_unchanged(action, values)
    current: Action = _update(
        actor, Action, action.pk, expected_version, values, action.strategy.organisation, _check_action
    )
    if supporting is not None:
        before = sorted(current.supporting.values_list("pk", flat=True))
        after = sorted({o.pk for o in supporting} - {current.lead_id})
        if before != after:
            current.supporting.set(after)
            audit.record(
                actor=actor,
                action=AuditAction.UPDATE,
                instance=current,
                changes={"supporting": [before, after]},
                organisation=current.strategy.organisation,
            )
    return current


@transaction.atomic
def do_delete_action(actor: User | None, action: Action) -> None:
    organisation = action.strategy.organisation
    for kpi in action.kpis.all():
        audit.record_delete(actor, kpi, audit.snapshot(kpi), organisation=organisation)
    audit.record_delete(actor, action, audit.snapshot(action), organisation=organisation)
    action.delete()


@transaction.atomic
def do_link_gap(actor: User | None, action: Action, gap: Gap, note: str = "") -> ActionGap:
    """Record that ``action`` addresses ``gap`` (a gap of the strategy's owner organisation)."""
    if gap.organisation_id != action.strategy.organisation_id:
        raise ValidationError({"gap": _("The gap belongs to another organisation's register.")})
    link, created = ActionGap.objects.get_or_create(
        action=action, gap=gap, defaults={"note": note[:500], "linked_by": who(actor)}
    )
    if created:
        audit.record_create(actor, link, organisation=action.strategy.organisation)
    return link


@transaction.atomic
def do_unlink_gap(actor: User | None, action: Action, gap: Gap) -> None:
    link = ActionGap.objects.filter(action=action, gap=gap).first()
    if link is None:
        return
    audit.record_delete(actor, link, audit.snapshot(link), organisation=action.strategy.organisation)
    link.delete()


# --------------------------------------------------------------------------- KPIs


def _check_kpi(kpi: KPI) -> None:
    if not (kpi.name_en.strip() or kpi.name_es.strip()):
        raise ValidationError({"name_en": _("Give a name in English, in Spanish, or in both.")})
    check_kpi_values(kpi)


def default_indicator_type(holder: Action | Element) -> str:
    """The indicator type a new KPI of ``holder`` starts with: output, outcome (objective) or impact (axis)."""
    return DEFAULT_INDICATOR_TYPE[holder.kind if isinstance(holder, Element) else "action"]


@transaction.atomic
def do_create_kpi(actor: User | None, holder: Action | Element, **values: Any) -> KPI:
    """A KPI of an action, or of an axis or objective (``holder``); the indicator type defaults by level."""
    _check_fields(values, KPI_FIELDS, "KPI")
    values.setdefault("indicator_type", default_indicator_type(holder))
    kpi = KPI(element=holder, **values) if isinstance(holder, Element) else KPI(action=holder, **values)
    _check_kpi(kpi)
    kpi.full_clean(validate_constraints=False)
    kpi.save()
    audit.record_create(actor, kpi, organisation=holder.strategy.organisation)
    return kpi


@transaction.atomic
def do_update_kpi(actor: User | None, kpi: KPI, expected_version: int | None, **values: Any) -> KPI:
    _check_fields(values, KPI_FIELDS, "KPI")
    result: KPI = _update(actor, KPI, kpi.pk, expected_version, values, kpi.organisation, _check_kpi)
    return result


@transaction.atomic
def do_delete_kpi(actor: User | None, kpi: KPI) -> None:
    audit.record_delete(actor, kpi, audit.snapshot(kpi), organisation=kpi.organisation)
    kpi.delete()


@transaction.atomic
def do_record_measurement(
    actor: User | None,
    kpi: KPI,
    *,
    date: datetime.date,
    value: Decimal | int | float | str,
    note: str = "",
    origin: str = MeasurementOrigin.ENTERED,
    detail: dict[str, Any] | None = None,
) -> KPIMeasurement:
    """Record a KPI's value at a date; a second value for the same date and origin replaces the first."""
    if origin == MeasurementOrigin.ENTERED and kpi.source != KPISource.MANUAL:
        # Allowed (a correction by hand), but said in the note so the report shows it.
        note = note or _("Entered by hand for a KPI computed from platform data.")
    number = check_value(kpi.unit, value, "value")
    organisation = kpi.organisation
    # Only the measurement's row is locked: the default order joins the KPI's action, which a KPI of an axis
    # or objective does not have (PostgreSQL cannot lock the nullable side of an outer join).
    existing = KPIMeasurement.objects.select_for_update(of=("self",)).filter(kpi=kpi, date=date, origin=origin).first()
    if existing is not None:
        before = audit.snapshot(existing)
        existing.value, existing.note, existing.detail = number, note, detail or {}
        existing.recorded_by = who(actor)
        existing.full_clean()
        existing.save()
        changes = audit.diff(before, audit.snapshot(existing))
        if changes:
            audit.record(
                actor=actor, action=AuditAction.UPDATE, instance=existing, changes=changes, organisation=organisation
            )
        return existing
    measurement = KPIMeasurement(
        kpi=kpi, date=date, value=number, origin=origin, note=note, detail=detail or {}, recorded_by=who(actor)
    )
    measurement.full_clean()
    measurement.save()
    audit.record_create(actor, measurement, organisation=organisation)
    return measurement


def do_compute_kpi(actor: User | None, kpi: KPI, as_of: datetime.date) -> KPIMeasurement:
    """Compute the KPI on ``as_of`` from platform data and record it (replacing an earlier computation
    for that date); ``ValidationError`` if it cannot be computed."""
    result = kpis.compute(kpi, as_of, actor)
    return do_record_measurement(
        actor, kpi, date=as_of, value=result.value, origin=MeasurementOrigin.COMPUTED, detail=result.detail
    )


# --------------------------------------------------------------------------- progress


@transaction.atomic
def do_report_progress(
    actor: User | None,
    action: Action,
    *,
    date: datetime.date,
    status: str,
    percent_complete: int,
    narrative: str,
    evidence_url: str = "",
    evidence_document: UploadedFile[bytes] | None = None,
    organisation: Organisation | None = None,
    executed_amount: Decimal | str | None = None,
    executed_year: int | None = None,
    executed_source: str = "",
) -> ProgressUpdate:
    """Add a progress update; the action's status and percentage follow its most recent update.

    ``organisation`` is the lead or supporting institution the update is reported for (see
    ``do_report_institution_progress``); None when the strategy's owner reports. ``executed_amount``
    (in the plan currency) is what was spent on the action so far in ``executed_year`` (default: the
    update's year) from ``executed_source`` (blank: not stated); see ``budget``."""
    errors: dict[str, str] = budget.check_execution(action, executed_amount, executed_year, executed_source, date)
    if status not in ActionStatus.values:
        errors["status"] = _("Unknown status.")
    if not 0 <= int(percent_complete) <= 100:
        errors["percent_complete"] = _("Give a percentage between 0 and 100.")
    elif status == ActionStatus.COMPLETED and int(percent_complete) != 100:
        errors["percent_complete"] = _("A completed action is done in full: give 100 percent.")
    if not narrative.strip():
        errors["narrative"] = _("Say what happened since the last update.")
    if evidence_url and not (
        evidence_url.startswith(("https://", "http://"))
        or (evidence_url.startswith("/") and not evidence_url.startswith("//"))
    ):
        errors["evidence_url"] = _("Give an address starting with https://, http:// or /.")
    if date > timezone.localdate() + datetime.timedelta(days=1):
        errors["date"] = _("A progress update cannot be dated in the future.")
    if errors:
        raise ValidationError(errors)
    update = ProgressUpdate(
        action=action,
        date=date,
        status=status,
        percent_complete=int(percent_complete),
        narrative=narrative,
        evidence_url=evidence_url,
        author=who(actor),
        organisation=organisation,
    )
    if executed_amount not in (None, ""):
        update.executed_amount = budget.parse_amount(executed_amount, "executed_amount")
        update.executed_year = int(executed_year) if executed_year else date.year
        update.executed_source = executed_source or ""
    if evidence_document is not None:
        validate_evidence_file(evidence_document)
        update.evidence_document.save(
            safe_filename(evidence_document.name or "evidence"), evidence_document, save=False
        )
    update.full_clean()
    update.save()
    organisation = action.strategy.organisation
    audit.record_create(actor, update, organisation=organisation)
    latest = action.updates.order_by("-date", "-id").first()
    if latest is not None and latest.pk == update.pk:
        _update(
            actor,
            Action,
            action.pk,
            None,
            {"status": update.status, "percent_complete": update.percent_complete},
            organisation,
        )
        if update.status == ActionStatus.COMPLETED:
            _mark_gaps_addressed(actor, action)
    return update


def do_report_institution_progress(
    actor: User, action: Action, organisation: Organisation, **values: Any
) -> ProgressUpdate:
    """A lead or supporting institution reports progress on an action it is responsible for.

    Refused (``PermissionDenied``) unless ``actor`` may report for ``organisation`` on ``action``
    (``access.reporting_organisations``); the update is attributed to the organisation and audited
    like any other progress update."""
    if not access.reporting_organisations(actor, action).filter(pk=organisation.pk).exists():
        raise PermissionDenied
    return do_report_progress(actor, action, organisation=organisation, **values)


def _mark_gaps_addressed(actor: User | None, action: Action) -> None:
    """A completed action marks the open gaps it cites as addressed; the next assessment closes them."""
    for gap in action.gaps.filter(status=GapStatus.OPEN):
        do_set_gap_status(actor, gap, GapStatus.ADDRESSED)


# --------------------------------------------------------------------------- lifecycle tasks


def _check_task(task: PhaseTask) -> None:
    _require_text(task)
    if task.evidence_url and not (
        task.evidence_url.startswith(("https://", "http://"))
        or (task.evidence_url.startswith("/") and not task.evidence_url.startswith("//"))
    ):
        raise ValidationError({"evidence_url": _("Give an address starting with https://, http:// or /.")})


@transaction.atomic
def do_create_task(actor: User | None, strategy: Strategy, **values: Any) -> PhaseTask:
    _check_fields(values, TASK_FIELDS, "task")
    task = PhaseTask(strategy=strategy, **values)
    _check_task(task)
    task.full_clean()
    task.save()
    audit.record_create(actor, task, organisation=strategy.organisation)
    return task


@transaction.atomic
def do_update_task(actor: User | None, task: PhaseTask, expected_version: int | None, **values: Any) -> PhaseTask:
    _check_fields(values, TASK_FIELDS | {"done"}, "task")
    if "done" in values:
        values["done_at"] = timezone.now() if values["done"] else None
    result: PhaseTask = _update(
        actor, PhaseTask, task.pk, expected_version, values, task.strategy.organisation, _check_task
    )
    return result


def action_is_open(action: Action) -> bool:
    return action.status not in CLOSED_ACTION_STATUSES
