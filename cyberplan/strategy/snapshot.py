"""Freeze a strategy's working copy into a version, and compare two versions.

A snapshot is plain JSON (``FORMAT`` below). Elements, actions and KPIs are keyed by their
``uid``, so a comparison follows an element through renumbering and moves. Implementation data
(action status, percentage done, measurements) is not part of a version: a version is the plan.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from .fields import KPI_FIELDS, TEXT_FIELDS
from .models import KPI, Action, Strategy

FORMAT = 1

STRATEGY_FIELDS = (
    "title_en",
    "title_es",
    "start_year",
    "end_year",
    "review_months",
    "vision_en",
    "vision_es",
    "foreword_en",
    "foreword_es",
    "governance_en",
    "governance_es",
    "tlp",
    "illustrative",
    "progress_weighting",
)
ACTION_FIELDS = (
    "code",
    "parent",
    *TEXT_FIELDS,
    "lead",
    "supporting",
    "start_date",
    "end_date",
    "budget",
    "currency",
    "funding_source",
    "funding_note",
    "weight",
    "gaps",
)

# Text sections of the strategy that can be commented on, with their labels.
TEXT_SECTIONS = {
    "foreword": _("Foreword"),
    "vision": _("Vision"),
    "principles": _("Principles"),
    "governance": _("Governance"),
}


def _text(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def _organisation_label(org: Any) -> str:
    return str(org) if org is not None else ""


def build(strategy: Strategy) -> dict[str, Any]:
    """The working copy of ``strategy`` as a snapshot document."""
    elements = list(strategy.elements.select_related("parent").order_by("order", "code", "id"))
    uid_of = {e.pk: e.uid for e in elements}
    actions = list(
        Action.objects.filter(strategy=strategy)
        .select_related("parent", "lead")
        .prefetch_related("supporting", "gap_links__gap", "kpis")
        .order_by("order", "code", "id")
    )
    # The indicators of axes and objectives; an element without any has no "kpis" key, so the
    # snapshots of plans without them read as they always did.
    element_kpis: dict[int, list[dict[str, Any]]] = {}
    for kpi in KPI.objects.filter(element__strategy=strategy).order_by("id"):
        element_kpis.setdefault(kpi.element_id, []).append(_kpi_entry(kpi))  # type: ignore[arg-type]  # an element's KPI has one
    return {
        "format": FORMAT,
        "strategy": {
            **{name: _text(getattr(strategy, name)) for name in STRATEGY_FIELDS},
            "country": str(strategy.country),
            "owner": str(strategy.organisation),
        },
        "principles": [
            {"uid": p.uid, "order": p.order, **{f: getattr(p, f) for f in TEXT_FIELDS}}
            for p in strategy.principles.order_by("order", "id")
        ],
        "elements": [
            {
                "uid": e.uid,
                "kind": e.kind,
                "code": e.code,
                "parent": uid_of.get(e.parent_id) if e.parent_id else None,
                "order": e.order,
                "focus_area": e.focus_area,
                **{f: getattr(e, f) for f in TEXT_FIELDS},
                **({"kpis": element_kpis[e.pk]} if e.pk in element_kpis else {}),
            }
            for e in elements
        ],
        "actions": [
            {
                "uid": a.uid,
                "code": a.code,
                "parent": uid_of[a.parent_id],
                "order": a.order,
                **{f: getattr(a, f) for f in TEXT_FIELDS},
                "lead": _organisation_label(a.lead),
                "supporting": sorted(_organisation_label(o) for o in a.supporting.all()),
                "start_date": _text(a.start_date),
                "end_date": _text(a.end_date),
                "budget": _text(a.budget),
                "currency": a.currency,
                "funding_source": a.funding_source,
                "funding_note": a.funding_note,
                "weight": _text(a.weight),
                "gaps": sorted(link.gap.identifier for link in a.gap_links.all()),
                "kpis": [_kpi_entry(k) for k in a.kpis.all()],
            }
            for a in actions
        ],
    }


def _kpi_entry(kpi: KPI) -> dict[str, Any]:
    return {"uid": kpi.uid, **{f: _text(getattr(kpi, f)) for f in KPI_FIELDS}}


def digest(document: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(document, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def sections(document: dict[str, Any], language: str = "en") -> list[tuple[str, str]]:
    """(key, label) of every section of a snapshot that can be commented on, in reading order."""
    out: list[tuple[str, str]] = [(key, str(label)) for key, label in TEXT_SECTIONS.items()]
    for element in document.get("elements", []):
        out.append((element["uid"], f"{element['code']} {_pick(element, 'title', language)}"))
    for action in document.get("actions", []):
        out.append((action["uid"], f"{action['code']} {_pick(action, 'title', language)}"))
    return out


def _pick(item: dict[str, Any], name: str, language: str) -> str:
    other = "es" if language == "en" else "en"
    return str(item.get(f"{name}_{language}") or item.get(f"{name}_{other}") or "")


# --------------------------------------------------------------------------- differences


@dataclass
class FieldChange:
    field: str
    before: Any
    after: Any
    # Word-level differences of text values: (operation, text) with operation "=", "-" or "+".
    segments: list[tuple[str, str]] = dataclasses.field(default_factory=list)


@dataclass
class Change:
    key: str
    kind: str  # "strategy", "principle", "element", "action", "kpi"
    change: str  # "added", "removed", "changed"
    label: str
    fields: list[FieldChange] = dataclasses.field(default_factory=list)


def word_segments(before: str, after: str) -> list[tuple[str, str]]:
    """Word-level differences between two texts, for showing them inline."""
    a, b = before.split(" "), after.split(" ")
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("=", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("-", " ".join(a[i1:i2])))
        if j2 > j1:
            out.append(("+", " ".join(b[j1:j2])))
    return out


def _field_changes(before: dict[str, Any], after: dict[str, Any], names: tuple[str, ...]) -> list[FieldChange]:
    out: list[FieldChange] = []
    for name in names:
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        segments = word_segments(old, new) if isinstance(old, str) and isinstance(new, str) else []
        out.append(FieldChange(name, old, new, segments))
    return out


def _compare_keyed(
    kind: str,
    before: list[dict[str, Any]],
    after: list[dict[str, Any]],
    names: tuple[str, ...],
    label: Any,
) -> list[Change]:
    old = {item["uid"]: item for item in before}
    new = {item["uid"]: item for item in after}
    out: list[Change] = []
    for item in after:
        uid = item["uid"]
        if uid not in old:
            out.append(Change(uid, kind, "added", label(item)))
            continue
        fields = _field_changes(old[uid], item, names)
        if fields:
            out.append(Change(uid, kind, "changed", label(item), fields))
    for item in before:
        if item["uid"] not in new:
            out.append(Change(item["uid"], kind, "removed", label(item)))
    return out


def compare(before: dict[str, Any], after: dict[str, Any], language: str = "en") -> list[Change]:
    """What changed from one snapshot to another, section by section."""
    changes: list[Change] = []
    strategy_fields = _field_changes(before.get("strategy", {}), after.get("strategy", {}), STRATEGY_FIELDS)
    if strategy_fields:
        changes.append(Change("strategy", "strategy", "changed", str(_("Strategy")), strategy_fields))
    changes += _compare_keyed(
        "principle",
        before.get("principles", []),
        after.get("principles", []),
        ("order", *TEXT_FIELDS),
        lambda p: _pick(p, "title", language),
    )
    changes += _compare_keyed(
        "element",
        before.get("elements", []),
        after.get("elements", []),
        ("code", "parent", "focus_area", *TEXT_FIELDS),
        lambda e: f"{e['code']} {_pick(e, 'title', language)}",
    )
    old_actions = before.get("actions", [])
    new_actions = after.get("actions", [])
    changes += _compare_keyed(
        "action", old_actions, new_actions, ACTION_FIELDS, lambda a: f"{a['code']} {_pick(a, 'title', language)}"
    )
    # The KPIs of every level, each named by the code of the axis, objective or action it measures.
    old_kpis = [
        {**k, "action": item["code"]}
        for item in [*before.get("elements", []), *old_actions]
        for k in item.get("kpis", [])
    ]
    new_kpis = [
        {**k, "action": item["code"]}
        for item in [*after.get("elements", []), *new_actions]
        for k in item.get("kpis", [])
    ]
    changes += _compare_keyed(
        "kpi", old_kpis, new_kpis, KPI_FIELDS, lambda k: f"{k['action']} · {_pick(k, 'name', language)}"
    )
    return changes


def element_by_uid(document: dict[str, Any], uid: str) -> dict[str, Any] | None:
    for item in [*document.get("elements", []), *document.get("actions", [])]:
        if item["uid"] == uid:
            return dict(item)
    return None


__all__ = ["Change", "FieldChange", "build", "compare", "digest", "sections", "word_segments"]
