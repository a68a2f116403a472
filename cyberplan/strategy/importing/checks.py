"""Checking the rows of a structure file against each other, the stored strategy and the register.

Every problem is collected with its place, field and reason; nothing is written here. What passes
becomes a list of planned writes for :mod:`.writing`."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cyberplan.core.choices import TLP
from cyberplan.core.models import Organisation
from cyberplan.gaps.models import Gap

from ..choices import (
    PARENT_KIND,
    ElementKind,
    FocusArea,
    Frequency,
    FundingSource,
    IndicatorType,
    KPIDirection,
    KPISource,
    KPIUnit,
)
from ..models import KPI, Action, Element, Principle, Strategy
from ..units import SOURCE_UNIT, check_kpi_values
from .rows import (
    ACTION,
    APPLIES,
    AXIS,
    CODE,
    ELEMENT_KINDS,
    KINDS,
    KPI_KIND,
    LINE,
    NUMBER,
    OBJECTIVE,
    PRINCIPLE,
    Planned,
    Problem,
    Row,
    file_place,
)

# --------------------------------------------------------------------------- checking


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


# Messages that depend on the kind of a row are whole sentences, one per kind (and, where the row's
# code is named, one with the code and one for a row without a code), so that each translates as
# a whole: kind names are never put into a sentence.
_NOT_APPLICABLE = {
    PRINCIPLE: gettext_lazy("%(field)s does not apply to a principle."),
    AXIS: gettext_lazy("%(field)s does not apply to an axis."),
    OBJECTIVE: gettext_lazy("%(field)s does not apply to an objective."),
    LINE: gettext_lazy("%(field)s does not apply to an action line."),
    ACTION: gettext_lazy("%(field)s does not apply to an action."),
    KPI_KIND: gettext_lazy("%(field)s does not apply to a KPI."),
}
CODE_MISSING = {
    AXIS: gettext_lazy("Give an axis a code, e.g. 1.2."),
    OBJECTIVE: gettext_lazy("Give an objective a code, e.g. 1.2."),
    LINE: gettext_lazy("Give an action line a code, e.g. 1.2."),
    ACTION: gettext_lazy("Give an action a code, e.g. 1.2."),
}
_KIND_CHANGED = {
    AXIS: gettext_lazy("%(code)s is an axis in the strategy; an import cannot change the kind of an element."),
    OBJECTIVE: gettext_lazy(
        "%(code)s is an objective in the strategy; an import cannot change the kind of an element."
    ),
    LINE: gettext_lazy("%(code)s is an action line in the strategy; an import cannot change the kind of an element."),
}
_UNKNOWN_KPI_VALUE = {
    "direction": gettext_lazy("Unknown direction %(value)r; use %(values)s."),
    "frequency": gettext_lazy("Unknown frequency %(value)r; use %(values)s."),
    "indicator_type": gettext_lazy("Unknown indicator type %(value)r; use %(values)s."),
    "source": gettext_lazy("Unknown source %(value)r; use %(values)s."),
    "unit": gettext_lazy("Unknown unit %(value)r; use %(values)s."),
}
# (with the code, without a code), by kind.
_PARENT_MISSING = {
    OBJECTIVE: (
        gettext_lazy("Objective %(code)s needs the axis it belongs to."),
        gettext_lazy("The objective needs the axis it belongs to."),
    ),
    LINE: (
        gettext_lazy("Action line %(code)s needs the objective it belongs to."),
        gettext_lazy("The action line needs the objective it belongs to."),
    ),
    ACTION: (
        gettext_lazy("Action %(code)s needs the action line or objective it belongs to."),
        gettext_lazy("The action needs the action line or objective it belongs to."),
    ),
    KPI_KIND: (
        gettext_lazy("KPI %(code)s needs the action, objective or axis it measures."),
        gettext_lazy("The KPI needs the action, objective or axis it measures."),
    ),
}
_PARENT_UNKNOWN = {
    OBJECTIVE: (
        gettext_lazy("Objective %(code)s names parent %(parent)s which is not in the file or the strategy."),
        gettext_lazy("The objective names parent %(parent)s which is not in the file or the strategy."),
    ),
    LINE: (
        gettext_lazy("Action line %(code)s names parent %(parent)s which is not in the file or the strategy."),
        gettext_lazy("The action line names parent %(parent)s which is not in the file or the strategy."),
    ),
    ACTION: (
        gettext_lazy("Action %(code)s names parent %(parent)s which is not in the file or the strategy."),
        gettext_lazy("The action names parent %(parent)s which is not in the file or the strategy."),
    ),
    KPI_KIND: (
        gettext_lazy(
            "KPI %(code)s names %(parent)s, which is no action, objective or axis in the file or the strategy."
        ),
        gettext_lazy("The KPI names %(parent)s, which is no action, objective or axis in the file or the strategy."),
    ),
}
# By (kind of the row, kind of the parent it names).
_PARENT_WRONG_KIND = {
    (OBJECTIVE, OBJECTIVE): (
        gettext_lazy(
            "Objective %(code)s names parent %(parent)s, which is an objective; an objective sits under an axis."
        ),
        gettext_lazy("The objective names parent %(parent)s, which is an objective; an objective sits under an axis."),
    ),
    (OBJECTIVE, LINE): (
        gettext_lazy(
            "Objective %(code)s names parent %(parent)s, which is an action line; an objective sits under an axis."
        ),
        gettext_lazy(
            "The objective names parent %(parent)s, which is an action line; an objective sits under an axis."
        ),
    ),
    (LINE, AXIS): (
        gettext_lazy(
            "Action line %(code)s names parent %(parent)s, which is an axis; an action line sits under an objective."
        ),
        gettext_lazy(
            "The action line names parent %(parent)s, which is an axis; an action line sits under an objective."
        ),
    ),
    (LINE, LINE): (
        gettext_lazy(
            "Action line %(code)s names parent %(parent)s, which is an action line; "
            "an action line sits under an objective."
        ),
        gettext_lazy(
            "The action line names parent %(parent)s, which is an action line; an action line sits under an objective."
        ),
    ),
    (ACTION, AXIS): (
        gettext_lazy(
            "Action %(code)s names parent %(parent)s, which is an axis; "
            "an action sits under an action line or an objective."
        ),
        gettext_lazy(
            "The action names parent %(parent)s, which is an axis; an action sits under an action line or an objective."
        ),
    ),
    (ACTION, ACTION): (
        gettext_lazy(
            "Action %(code)s names parent %(parent)s, which is an action; "
            "an action sits under an action line or an objective."
        ),
        gettext_lazy(
            "The action names parent %(parent)s, which is an action; "
            "an action sits under an action line or an objective."
        ),
    ),
}


def _about(messages: tuple[Any, Any], code: str, **values: str) -> str:
    """The sentence naming the row by its code, or the one for a row without a code."""
    with_code, without_code = messages
    return str(with_code) % {"code": code, **values} if code else str(without_code) % values


def _model_length(model: type[Any], name: str) -> int:
    return int(model._meta.get_field(name).max_length)


class Checker:
    """Checks rows against the file itself and the strategy, and turns them into ``Planned`` values."""

    def __init__(
        self,
        rows: list[Row],
        organisation: Organisation,
        strategy: Strategy | None,
        *,
        skip_missing_gaps: bool = False,
    ) -> None:
        self.rows = rows
        self.organisation = organisation
        self.strategy = strategy
        self.skip_missing_gaps = skip_missing_gaps
        self.problems: list[Problem] = []
        self.notes: list[str] = []
        self.planned: list[Planned] = []
        self.existing_elements: dict[str, tuple[str, str]] = {}  # code -> (kind, parent code)
        self.existing_actions: set[str] = set()
        if strategy is not None:
            codes = dict(Element.objects.filter(strategy=strategy).values_list("pk", "code"))
            for code, kind, parent_id in Element.objects.filter(strategy=strategy).values_list(
                "code", "kind", "parent_id"
            ):
                self.existing_elements[code] = (kind, codes.get(parent_id, "") if parent_id else "")
            self.existing_actions = set(Action.objects.filter(strategy=strategy).values_list("code", flat=True))
        self._organisations = list(Organisation.objects.all())
        self._gaps = list(Gap.objects.filter(organisation=organisation))

    def add(self, row: Row | None, field_name: str, reason: str, where: str | None = None) -> None:
        self.problems.append(
            Problem(where or (row.where if row else file_place()), field_name, reason, rows=(row,) if row else ())
        )

    # ------------------------------------------------------------------ one row

    def check(self) -> list[Planned]:
        for row in self.rows:
            planned = self.check_row(row)
            if planned is not None:
                self.planned.append(planned)
        self.check_duplicates()
        self.check_parents()
        self.check_cycles()
        return self.planned

    def check_row(self, row: Row) -> Planned | None:
        kind = row.kind
        if kind not in KINDS:
            self.add(
                row,
                "kind",
                _("Unknown kind %(kind)r; use %(kinds)s.")
                % {"kind": row.values.get("kind", "")[:30], "kinds": ", ".join(KINDS)}
                if kind
                else _("Give the kind: %(kinds)s.") % {"kinds": ", ".join(KINDS)},
            )
            return None
        planned = Planned(row, kind, row.code, row.parent)
        for name in row.values:
            if name not in APPLIES[kind]:
                self.add(row, name, str(_NOT_APPLICABLE[kind]) % {"field": name})
        self._code(row, planned)
        self._texts(row, planned)
        if "order" in row.values:
            planned.order = self._integer(row, "order", 0, 32767)
        if kind in ELEMENT_KINDS:
            focus = row.values.get("focus_area", "")
            if focus and focus not in FocusArea.values:
                self.add(
                    row,
                    "focus_area",
                    _("Unknown focus area %(value)r; use %(values)s.")
                    % {"value": focus[:40], "values": ", ".join(FocusArea.values)},
                )
            elif focus:
                planned.values["focus_area"] = focus
        if kind == ACTION:
            self._action(row, planned)
        if kind == KPI_KIND:
            self._kpi(row, planned)
        return planned

    def _code(self, row: Row, planned: Planned) -> None:
        code = row.code
        if planned.kind == PRINCIPLE:
            if code and not code.isdigit():
                self.add(
                    row, "code", _("A principle's code is its number (1, 2, ...), not %(code)r.") % {"code": code[:30]}
                )
            elif code:
                planned.order = int(code)
            return
        if planned.kind == KPI_KIND:
            return
        if not code:
            self.add(row, "code", str(CODE_MISSING[planned.kind]))
            return
        limit = _model_length(Action if planned.kind == ACTION else Element, "code")
        if len(code) > limit:
            self.add(row, "code", _("A code has at most %(limit)d characters.") % {"limit": limit})
        elif not CODE.match(code):
            self.add(
                row,
                "code",
                _("A code is made of letters, digits, dots and dashes, not %(code)r.") % {"code": code[:30]},
            )

    def _texts(self, row: Row, planned: Planned) -> None:
        values = row.values
        if not (values.get("title_en") or values.get("title_es")):
            self.add(row, "title_en", _("Give a title in English, in Spanish, or in both."))
        model: type[Any] = {PRINCIPLE: Principle, ACTION: Action, KPI_KIND: KPI}.get(planned.kind, Element)
        for name in ("title_en", "title_es", "description_en", "description_es"):
            if name not in values:
                continue
            target: str = name
            if planned.kind == KPI_KIND:
                target = name.replace("title", "name").replace("description", "definition")
            limit = model._meta.get_field(target).max_length
            if limit and len(values[name]) > limit:
                self.add(row, name, _("At most %(limit)d characters.") % {"limit": limit})
            planned.values[target] = values[name]

    def _integer(self, row: Row, name: str, low: int, high: int) -> int | None:
        text = row.values[name]
        if not text.isdigit() or not low <= int(text) <= high:
            self.add(row, name, _("Give a whole number from %(low)d to %(high)d.") % {"low": low, "high": high})
            return None
        return int(text)

    def _date(self, row: Row, name: str) -> datetime.date | None:
        text = row.values.get(name, "")
        if not text:
            return None
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            self.add(row, name, _("%(value)r is not a date; write it as YYYY-MM-DD.") % {"value": text[:30]})
            return None

    def find_organisation(self, row: Row, name: str, reference: str) -> Organisation | None:
        wanted = reference.strip().lower()
        found = [o for o in self._organisations if o.slug.lower() == wanted]
        if not found:
            found = [o for o in self._organisations if o.acronym and o.acronym.lower() == wanted]
        if len(found) == 1:
            return found[0]
        if found:
            self.add(
                row,
                name,
                _("%(name)r is the acronym of several organisations; use the short name (%(slugs)s).")
                % {"name": reference[:40], "slugs": ", ".join(o.slug for o in found)},
            )
        else:
            self.add(
                row,
                name,
                _("Unknown organisation %(name)r (give its short name or acronym).") % {"name": reference[:40]},
            )
        return None

    def gap(self, row: Row, reference: str) -> Gap | None:
        found = [g for g in self._gaps if g.identifier.lower() == reference.lower()]
        if not found:
            found = [g for g in self._gaps if g.source_key and g.source_key == reference]
        if len(found) == 1:
            return found[0]
        if found:
            self.add(row, "gaps", _("%(key)r names several gaps; use the identifier.") % {"key": reference[:60]})
        elif self.skip_missing_gaps:
            self.notes.append(
                _("%(where)s: gap %(gap)s is not in the register of %(organisation)s; the link was skipped.")
                % {"where": row.where, "gap": reference[:60], "organisation": self.organisation}
            )
        else:
            self.add(
                row,
                "gaps",
                _("Unknown gap %(gap)r: it is not in the gap register of %(organisation)s.")
                % {"gap": reference[:60], "organisation": self.organisation},
            )
        return None

    def _action(self, row: Row, planned: Planned) -> None:
        values = row.values
        if "lead" in values:
            lead = self.find_organisation(row, "lead", values["lead"])
            if lead is not None:
                planned.values["lead"] = lead
        if "supporting" in values:
            found = [self.find_organisation(row, "supporting", name) for name in _split(values["supporting"])]
            planned.supporting = [o for o in found if o is not None]
        start, end = self._date(row, "start"), self._date(row, "end")
        if start is not None:
            planned.values["start_date"] = start
        if end is not None:
            planned.values["end_date"] = end
        if start and end and end < start:
            self.add(
                row,
                "end",
                _("The dates are out of order: the action ends on %(end)s, before it starts on %(start)s.")
                % {"end": end.isoformat(), "start": start.isoformat()},
            )
        if "budget" in values:
            text = values["budget"].replace(" ", "").replace("_", "")
            if not NUMBER.match(text):
                self.add(row, "budget", _("Write the budget as a plain number, e.g. 120000 or 120000.50."))
            else:
                budget = Decimal(text)
                if budget >= Decimal(10) ** 12 or budget != budget.quantize(Decimal("0.01")):
                    self.add(row, "budget", _("The budget has at most 12 digits and 2 decimals."))
                else:
                    planned.values["budget"] = budget.quantize(Decimal("0.01"))
        if "weight" in values:
            self._weight(row, planned)
        if "currency" in values:
            currency = values["currency"]
            if len(currency) != 3 or not currency.isalpha():
                self.add(row, "currency", _("Give a three-letter currency code, e.g. USD or PYG."))
            else:
                planned.values["currency"] = currency.upper()
        if "funding_source" in values:
            source = values["funding_source"]
            if source not in FundingSource.values:
                self.add(
                    row,
                    "funding_source",
                    _("Unknown funding source %(value)r; use %(values)s.")
                    % {"value": source[:40], "values": ", ".join(FundingSource.values)},
                )
            else:
                planned.values["funding_source"] = source
        if "funding_note" in values:
            if len(values["funding_note"]) > _model_length(Action, "funding_note"):
                self.add(row, "funding_note", _("At most %(limit)d characters.") % {"limit": 300})
            planned.values["funding_note"] = values["funding_note"]
        if "gaps" in values:
            found_gaps = [self.gap(row, reference) for reference in _split(values["gaps"])]
            planned.gaps = [g for g in found_gaps if g is not None]

    def _weight(self, row: Row, planned: Planned) -> None:
        text = row.values["weight"].replace(" ", "")
        weight = Decimal(text) if NUMBER.match(text) else None
        if weight is None or weight >= Decimal(10) ** 6 or weight != weight.quantize(Decimal("0.01")):
            self.add(row, "weight", _("Write the weight as a plain number from 0 to 999999.99, e.g. 2 or 0.5."))
        else:
            planned.values["weight"] = weight.quantize(Decimal("0.01"))

    def _kpi(self, row: Row, planned: Planned) -> None:
        values = row.values
        checks = {
            "direction": KPIDirection.values,
            "frequency": Frequency.values,
            "indicator_type": IndicatorType.values,
            "source": KPISource.values,
            "unit": KPIUnit.values,
        }
        for name, allowed in checks.items():
            value = values.get(name, "")
            if value and value not in allowed:
                self.add(
                    row,
                    name,
                    str(_UNKNOWN_KPI_VALUE[name]) % {"value": value[:40], "values": ", ".join(allowed)},
                )
                return
            if value:
                planned.values[name] = value
        source = planned.values.get("source", KPISource.MANUAL)
        if "unit" not in planned.values:
            if source in SOURCE_UNIT:
                planned.values["unit"] = SOURCE_UNIT[source]
            else:
                self.add(row, "unit", _("Give the KPI's unit: %(values)s.") % {"values": ", ".join(KPIUnit.values)})
                return
        for name in ("baseline_date", "target_date"):
            day = self._date(row, name)
            if day is not None:
                planned.values[name] = day
        if "source_detail" in values:
            planned.values["source_detail"] = values["source_detail"]
            if len(values["source_detail"]) > _model_length(KPI, "source_detail"):
                self.add(row, "source_detail", _("At most %(limit)d characters.") % {"limit": 300})
                return
        probe = KPI(**{k: v for k, v in planned.values.items() if k not in _TEXT_KPI})
        probe.baseline = values.get("baseline") or None
        probe.target = values.get("target") or None
        try:
            check_kpi_values(probe)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                self.add(row, _KPI_COLUMN.get(name, name), " ".join(messages))
            return
        for name in ("baseline", "target"):
            if getattr(probe, name) is not None:
                planned.values[name] = getattr(probe, name)

    # ------------------------------------------------------------------ across rows

    def _by_namespace(self, namespace: Iterable[str]) -> dict[str, list[Planned]]:
        kinds = set(namespace)
        out: dict[str, list[Planned]] = {}
        for item in self.planned:
            if item.kind in kinds and item.code:
                out.setdefault(item.code, []).append(item)
        return out

    def check_duplicates(self) -> None:
        for namespace, label in ((ELEMENT_KINDS, "code"), ((ACTION,), "code")):
            for code, items in self._by_namespace(namespace).items():
                if len(items) > 1:
                    self._duplicate(
                        items,
                        label,
                        _("The code %(code)s appears %(count)d times.") % {"code": code, "count": len(items)},
                    )
        principles: dict[int, list[Planned]] = {}
        for item in self.planned:
            if item.kind == PRINCIPLE and item.order is not None and item.row.code:
                principles.setdefault(item.order, []).append(item)
        for number, items in principles.items():
            if len(items) > 1:
                self._duplicate(
                    items,
                    "code",
                    _("Principle %(number)d appears %(count)d times.") % {"number": number, "count": len(items)},
                )
        kpis: dict[tuple[str, str], list[Planned]] = {}
        for item in self.planned:
            if item.kind == KPI_KIND:
                kpis.setdefault((item.parent, kpi_key(item.values)), []).append(item)
        actions_named = set(self._by_namespace((ACTION,))) | self.existing_actions
        for (action, name), items in kpis.items():
            if name and len(items) > 1:
                message = (
                    _("Action %(action)s has %(count)d KPIs named %(name)r.")
                    if action in actions_named
                    else _("Element %(action)s has %(count)d KPIs named %(name)r.")
                )
                self._duplicate(items, "title_en", message % {"action": action, "count": len(items), "name": name})
        for code, items in self._by_namespace(ELEMENT_KINDS).items():
            stored = self.existing_elements.get(code)
            if stored and stored[0] != items[0].kind:
                self.add(
                    items[0].row,
                    "kind",
                    str(_KIND_CHANGED[stored[0]]) % {"code": code},
                )

    def _duplicate(self, items: list[Planned], field_name: str, reason: str) -> None:
        where = _lines_label([i.row for i in items])
        self.problems.append(Problem(where, field_name, reason, rows=tuple(i.row for i in items)))

    def _element_kind(self, code: str) -> str | None:
        in_file = self._by_namespace(ELEMENT_KINDS).get(code)
        if in_file:
            return in_file[0].kind
        stored = self.existing_elements.get(code)
        return stored[0] if stored else None

    def check_parents(self) -> None:
        actions_in_file = set(self._by_namespace((ACTION,)))
        for item in self.planned:
            kind, parent, code = item.kind, item.parent, item.code
            if kind == PRINCIPLE:
                continue
            if kind == AXIS:
                if parent:
                    self.add(item.row, "parent", _("An axis sits at the top of the strategy; it has no parent."))
                continue
            if not parent:
                self.add(item.row, "parent", _about(_PARENT_MISSING[kind], code))
                continue
            if kind == KPI_KIND:
                # A KPI measures an action or, named by its code, an axis, objective or action line.
                measured = parent in actions_in_file or parent in self.existing_actions
                if not measured and self._element_kind(parent) is None:
                    self.add(item.row, "parent", _about(_PARENT_UNKNOWN[kind], code, parent=parent))
                continue
            parent_kind = self._element_kind(parent)
            if parent_kind is None:
                if kind == ACTION and (parent in actions_in_file or parent in self.existing_actions):
                    self.add(item.row, "parent", _about(_PARENT_WRONG_KIND[(ACTION, ACTION)], code, parent=parent))
                else:
                    self.add(item.row, "parent", _about(_PARENT_UNKNOWN[kind], code, parent=parent))
                continue
            if kind == ACTION:
                if parent_kind == AXIS:
                    self.add(item.row, "parent", _about(_PARENT_WRONG_KIND[(ACTION, AXIS)], code, parent=parent))
                continue
            if parent_kind != PARENT_KIND[ElementKind(kind)]:
                self.add(item.row, "parent", _about(_PARENT_WRONG_KIND[(kind, parent_kind)], code, parent=parent))

    def check_cycles(self) -> None:
        parents = {code: parent for code, (_kind, parent) in self.existing_elements.items()}
        rows_of: dict[str, Row] = {}
        for code, items in self._by_namespace(ELEMENT_KINDS).items():
            parents[code] = items[0].parent
            rows_of[code] = items[0].row
        reported: set[frozenset[str]] = set()
        for start in rows_of:
            path: list[str] = []
            node = start
            while node and node in parents and node not in path:
                path.append(node)
                node = parents[node]
            if node and node in path:
                cycle = path[path.index(node) :]
                key = frozenset(cycle)
                if key in reported:
                    continue
                reported.add(key)
                first = min(cycle, key=lambda c: (rows_of[c].line or 0) if c in rows_of else 0)
                ordered = cycle[cycle.index(first) :] + cycle[: cycle.index(first)]
                rows = [rows_of[c] for c in ordered if c in rows_of]
                chain = " -> ".join([*ordered, ordered[0]])
                self.problems.append(
                    Problem(
                        _lines_label(rows),
                        "parent",
                        _("%(chain)s form a cycle.") % {"chain": chain},
                        rows=tuple(rows),
                    )
                )


_TEXT_KPI = {"name_en", "name_es", "definition_en", "definition_es"}
_KPI_COLUMN = {"name_en": "title_en", "name_es": "title_es"}


def kpi_key(values: dict[str, Any]) -> str:
    return str(values.get("name_en") or values.get("name_es") or "").strip().lower()


def _lines_label(rows: list[Row]) -> str:
    """The place of a problem about several rows: "lines 3, 5" for CSV lines, else each row's place."""
    lines = [r.line for r in rows if r.line is not None]
    if len(rows) > 1 and all(not r.path for r in rows):
        return _("lines %(lines)s") % {"lines": ", ".join(str(n) for n in sorted(lines))}
    if len(rows) == 1:
        return rows[0].where
    return "; ".join(r.where for r in rows)


# --------------------------------------------------------------------------- strategy block


def strategy_values(block: dict[str, str]) -> tuple[dict[str, Any], list[Problem]]:
    """The YAML ``strategy`` block as values for ``do_create_strategy``."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, text in block.items():
        if key in ("start_year", "end_year", "review_months"):
            if not text.isdigit():
                problems.append(Problem("strategy", key, _("Give a whole number.")))
                continue
            values[key] = int(text)
        elif key == "illustrative":
            if text.lower() not in ("true", "false", "yes", "no"):
                problems.append(Problem("strategy", key, _("Give true or false.")))
                continue
            values[key] = text.lower() in ("true", "yes")
        elif key == "tlp":
            if text not in TLP.values:
                problems.append(
                    Problem(
                        "strategy", key, _("Unknown TLP label; use %(values)s.") % {"values": ", ".join(TLP.values)}
                    )
                )
                continue
            values[key] = text
        else:
            values[key] = text
    return values, problems
