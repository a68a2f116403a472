"""One incident to one event: time, durations, the fields kept in extra."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..base import compact_extra, json_text
from .actions import ACTION_CATEGORIES, classify
from .reading import _json_type
from .schema import FEED_NAME, SCHEMA_LABEL, VERSION_RE
from .validation import _normalise_version, _RejectedError, _schema_problems, _upgrade_legacy
from .values import _section, _strings, _text
from .victims import PLACEHOLDER_VICTIMS, sector_for, severity_for

#: ``plus`` fields copied to ``extra.plus`` when they hold a plain value.
PLUS_FIELDS = ("master_id", "dbir_year", "sub_source", "analysis_status", "created", "modified", "github")


def incident_time(incident: Mapping[str, Any]) -> tuple[dt.datetime, str]:
    """(time.source, time.precision) from ``timeline.incident``; raises :class:`_RejectedError` for a day
    that does not exist (the schema allows day 31 in every month)."""
    when = incident["timeline"]["incident"]
    year, month, day = when["year"], when.get("month"), when.get("day")
    if month is None:
        return dt.datetime(year, 1, 1, tzinfo=dt.UTC), "year"
    if day is None:
        return dt.datetime(year, month, 1, tzinfo=dt.UTC), "month"
    try:
        return dt.datetime(year, month, day, tzinfo=dt.UTC), "day"
    except ValueError:
        raise _RejectedError("timeline.incident.day", f"{year:04d}-{month:02d} has no day {day}") from None


def _labelled(section: Any) -> list[str]:
    """``category.variety`` of a section shaped like ``actor`` or ``discovery_method``."""
    labels: list[str] = []
    if not isinstance(section, dict):
        return labels
    for category, value in section.items():
        if isinstance(value, dict):
            varieties = _strings(value.get("variety"))
            labels.extend([f"{category}.{v}" for v in varieties] or [category])
        elif value is True:
            labels.append(category)
    return labels


#: Hours in one VERIS timeline unit (months and years as their mean length).
UNIT_HOURS = {
    "Seconds": 1 / 3600,
    "Minutes": 1 / 60,
    "Hours": 1.0,
    "Days": 24.0,
    "Weeks": 168.0,
    "Months": 730.5,
    "Years": 8766.0,
}


def _durations(timeline: Mapping[str, Any]) -> dict[str, Any]:
    """``discovery_hours`` and ``response_hours`` where the timeline gives a number and a unit of time."""
    result: dict[str, Any] = {}
    for phase, name in (("discovery", "discovery"), ("containment", "response")):
        span = timeline.get(phase)
        if not isinstance(span, dict):
            continue
        unit, value = span.get("unit"), span.get("value")
        if unit not in UNIT_HOURS:
            continue
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
            result[f"{name}_hours"] = round(float(value) * UNIT_HOURS[unit], 2)
        else:
            result[f"{phase}_unit"] = unit
    return result


def _extra(
    incident: Mapping[str, Any], original_version: Any, notes: list[str], tolerated: list[str]
) -> dict[str, Any]:
    victim = _section(incident, "victim")
    asset = _section(incident, "asset")
    confidentiality = _section(_section(incident, "attribute"), "confidentiality")
    attribute = _section(incident, "attribute")
    impact = _section(incident, "impact")
    action = _section(incident, "action")
    actors = _section(incident, "actor")
    countries = _strings(victim.get("country"))
    vectors = [
        f"{category}.{vector}"
        for category in ACTION_CATEGORIES
        if isinstance(action.get(category), dict)
        for vector in _strings(action[category].get("vector"))
    ]
    motives = sorted({m for a in actors.values() if isinstance(a, dict) for m in _strings(a.get("motive"))})
    actor_countries = sorted(
        {c for a in actors.values() if isinstance(a, dict) for c in _strings(a.get("country")) if c != "Unknown"}
    )
    cves = [
        action[category]["cve"]
        for category in ("hacking", "malware")
        if isinstance(action.get(category), dict) and isinstance(action[category].get("cve"), str)
    ]
    extra: dict[str, Any] = {
        "incident_id": incident.get("incident_id"),
        "schema_version": original_version,
        "security_incident": incident.get("security_incident"),
        "confidence": incident.get("confidence"),
        "summary": incident.get("summary"),
        "reference": incident.get("reference"),
        "campaign_id": incident.get("campaign_id"),
        "targeted": incident.get("targeted"),
        "actions": classify(action)[3],
        "action_vectors": vectors,
        "actors": _labelled(actors),
        "actor_motives": motives,
        "actor_countries": actor_countries,
        "cves": cves,
        "assets": [a["variety"] for a in asset.get("assets", []) if isinstance(a, dict) and "variety" in a],
        "asset_governance": _strings(asset.get("governance")),
        "attributes": sorted(k for k in ("confidentiality", "integrity", "availability") if k in attribute),
        "data_varieties": [
            d["variety"] for d in confidentiality.get("data", []) if isinstance(d, dict) and "variety" in d
        ],
        "data_total": confidentiality.get("data_total"),
        "data_disclosure": confidentiality.get("data_disclosure"),
        "discovery_method": _labelled(incident.get("discovery_method")),
        "discovery_notes": incident.get("discovery_notes"),
        "impact_rating": impact.get("overall_rating"),
        **_durations(_section(incident, "timeline")),
        "incident_time": incident["timeline"]["incident"].get("time"),
        "victim_countries": countries if len(countries) > 1 else None,
        "victim_industry": victim.get("industry"),
        "victim_employee_count": victim.get("employee_count"),
        "victim_state": victim.get("state"),
        "victim_government": _strings(victim.get("government")),
        "normalised": notes,
        "tolerated": tolerated,
        "plus": _plus(incident.get("plus")),
    }
    return extra


def _plus(plus: Any) -> dict[str, Any]:
    if not isinstance(plus, dict):
        return {}
    kept = {name: plus[name] for name in PLUS_FIELDS if isinstance(plus.get(name), (str, int, float))}
    timeline = plus.get("timeline")
    notification = timeline.get("notification") if isinstance(timeline, dict) else None
    if isinstance(notification, dict):
        parts = [notification.get(k) for k in ("year", "month", "day")]
        ints = [p for p in parts if isinstance(p, int) and not isinstance(p, bool)]
        if ints and ints == parts[: len(ints)]:
            kept["notification"] = "-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(ints))
    return kept


def map_incident(incident: Any) -> dict[str, Any]:
    """The event for one incident; raises :class:`_RejectedError` with the field and reason otherwise."""
    if not isinstance(incident, dict):
        raise _RejectedError("", f"a JSON {_json_type(incident)}, not a VERIS incident object")
    raw = json_text(incident)
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:
        raise _RejectedError(
            "", "the record holds an unpaired UTF-16 surrogate escape (\\ud800-\\udfff): not Unicode text"
        ) from None
    original_version = incident.get("schema_version")
    record = copy.deepcopy(incident)
    notes: list[str] = []
    version = _normalise_version(record, notes)
    minor = VERSION_RE.match(version).group("minor")  # type: ignore[union-attr]  # _normalise_version only returns versions VERSION_RE matches
    if minor == "3":
        _upgrade_legacy(record, notes)
    errors, tolerated = _schema_problems(record, minor)
    if errors:
        # A missing year is the one problem the event cannot do without: name it first.
        errors.sort(key=lambda e: e[0] != "timeline.incident.year")
        field, reason = errors[0]
        if field == "timeline.incident.year" and reason.startswith("missing"):
            reason = "missing: the incident has no year, so it cannot be placed in time"
        more = "; ".join(f"{f}: {r}" for f, r in errors[1:3])
        if more:
            reason += f"; also {more}"
        if len(errors) > 3:
            reason += f" (+{len(errors) - 3} more)"
        schema = SCHEMA_LABEL if minor == "4" else f"{SCHEMA_LABEL} with the 1.3 compatibility rules"
        raise _RejectedError(field, f"{reason} [{schema}]")
    incident_id = record["incident_id"].strip()
    if not incident_id:
        raise _RejectedError("incident_id", "empty: every VERIS incident needs an identifier")
    time_source, precision = incident_time(record)
    taxonomy, type_, identifier, _ = classify(record["action"])
    victim = record.get("victim") or {}
    countries = _strings(victim.get("country"))
    country = countries[0] if countries and countries[0] != "Unknown" else None
    victim_id = victim.get("victim_id")
    organisation = (
        victim_id.strip()
        if isinstance(victim_id, str) and victim_id.strip().lower() not in PLACEHOLDER_VICTIMS
        else None
    )
    malware_name = _text(_section(record["action"], "malware").get("name"))
    severity, basis = severity_for(record)
    extra = _extra(record, original_version, notes, tolerated)
    extra["severity_basis"] = basis
    return {
        "time.source": time_source,
        "time.precision": precision,
        "classification.taxonomy": taxonomy,
        "classification.type": type_,
        "classification.identifier": identifier,
        "malware.name": malware_name.lower() if malware_name else None,
        "feed.name": FEED_NAME,
        "feed.provider": _text(record.get("source_id")),
        "victim.sector": sector_for(victim.get("industry")),
        "victim.organisation": organisation,
        "victim.country": country,
        "severity": severity,
        "extra": compact_extra(extra),
        "raw": raw,
        "event_key": f"veris:{incident_id.lower()}",
    }
