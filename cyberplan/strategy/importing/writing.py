"""Writing the planned rows through the strategy's actions (validated and audited), matching what
exists by code; a value left empty keeps what is stored."""

from __future__ import annotations

from collections import Counter
from typing import Any

from cyberplan.core.models import Organisation, User

from .. import actions
from ..models import Action, Element, Strategy
from .checks import kpi_key
from .rows import ACTION, KPI_KIND, PRINCIPLE, ImportResult, Planned

# --------------------------------------------------------------------------- applying


def _changes(instance: Any, values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in values.items():
        current = getattr(instance, f"{name}_id" if isinstance(value, Organisation | Element) else name)
        wanted = value.pk if isinstance(value, Organisation | Element) else value
        if current != wanted:
            out[name] = value
    return out


class Applier:
    def __init__(self, actor: User | None, strategy: Strategy, result: ImportResult) -> None:
        self.actor = actor
        self.strategy = strategy
        self.result = result
        self.elements = {e.code: e for e in Element.objects.filter(strategy=strategy)}
        self.actions = {a.code: a for a in Action.objects.filter(strategy=strategy)}
        self.position: Counter[tuple[str, str]] = Counter()

    def count(self, kind: str, created: bool, changed: bool) -> None:
        bucket = self.result.created if created else self.result.updated if changed else self.result.unchanged
        bucket[kind] += 1

    def _order(self, item: Planned) -> int:
        self.position[(item.kind, item.parent)] += 1
        return item.order if item.order is not None else self.position[(item.kind, item.parent)]

    def principle(self, item: Planned) -> None:
        number = self._order(item)
        existing = self.strategy.principles.filter(order=number).first()
        if existing is None:
            actions.do_add_principle(self.actor, self.strategy, order=number, **item.values)
            self.count(PRINCIPLE, True, False)
            return
        changes = _changes(existing, item.values)
        if changes:
            actions.do_update_principle(self.actor, existing, None, **changes)
        self.count(PRINCIPLE, False, bool(changes))

    def element(self, item: Planned) -> None:
        parent = self.elements.get(item.parent) if item.parent else None
        existing = self.elements.get(item.code)
        order = self._order(item)
        if existing is None:
            self.elements[item.code] = actions.do_create_element(
                self.actor, self.strategy, kind=item.kind, parent=parent, code=item.code, order=order, **item.values
            )
            self.count(item.kind, True, False)
            return
        wanted = dict(item.values)
        if item.order is not None:
            wanted["order"] = item.order
        changes = _changes(existing, wanted)
        if existing.parent_id != (parent.pk if parent else None):
            changes["parent"] = parent
        if changes:
            self.elements[item.code] = actions.do_update_element(self.actor, existing, None, **changes)
        self.count(item.kind, False, bool(changes))

    def action(self, item: Planned) -> None:
        parent = self.elements[item.parent]
        existing = self.actions.get(item.code)
        order = self._order(item)
        if existing is None:
            action = actions.do_create_action(
                self.actor,
                self.strategy,
                parent=parent,
                supporting=item.supporting,
                gaps=item.gaps,
                code=item.code,
                order=order,
                **item.values,
            )
            self.actions[item.code] = action
            self.count(ACTION, True, False)
            return
        wanted = dict(item.values)
        if item.order is not None:
            wanted["order"] = item.order
        changes = _changes(existing, wanted)
        if existing.parent_id != parent.pk:
            changes["parent"] = parent
        supporting = None
        if item.supporting is not None:
            lead_id = changes["lead"].pk if "lead" in changes else existing.lead_id
            now = set(existing.supporting.values_list("pk", flat=True))
            if {o.pk for o in item.supporting} - {lead_id} != now:
                supporting = item.supporting
        linked = set(existing.gaps.values_list("pk", flat=True))
        new_gaps = [g for g in item.gaps or [] if g.pk not in linked]
        if changes or supporting is not None:
            existing = actions.do_update_action(self.actor, existing, None, supporting=supporting, **changes)
            self.actions[item.code] = existing
        for gap in new_gaps:
            actions.do_link_gap(self.actor, existing, gap)
        self.count(ACTION, False, bool(changes or supporting is not None or new_gaps))

    def kpi(self, item: Planned) -> None:
        # The row's parent is an action's code or, failing that, an axis's or objective's.
        holder: Action | Element = self.actions.get(item.parent) or self.elements[item.parent]
        key = kpi_key(item.values)
        existing = next(
            (k for k in holder.kpis.all() if kpi_key({"name_en": k.name_en, "name_es": k.name_es}) == key), None
        )
        if existing is None:
            actions.do_create_kpi(self.actor, holder, **item.values)
            self.count(KPI_KIND, True, False)
            return
        changes = _changes(existing, item.values)
        if changes:
            actions.do_update_kpi(self.actor, existing, None, **changes)
        self.count(KPI_KIND, False, bool(changes))
