"""Mapping indicators, observed data, sightings and incidents to events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..base import RowStager, compact_extra, json_text
from .context import Context, _common_extra, _malware_names, _tag_classes
from .observables import Observable, observable_from_comparisons, sco_observables
from .patterns import pattern_alternatives
from .validation import RecordError, stix_timestamp
from .vocabulary import FEED_NAME, MALWARE_TYPES, _strings, _words, classify


class BundleMapper:
    def __init__(self, stager: RowStager, context: Context) -> None:
        self.stager = stager
        self.context = context

    def event(
        self,
        obj: Mapping[str, Any],
        time_source: dt.datetime,
        observable: Observable | None,
        classification: tuple[str, str],
        malware: list[str],
        tlp: str | None,
        extra: Mapping[str, Any],
    ) -> None:
        record: dict[str, Any] = {
            "time.source": time_source,
            "feed.name": FEED_NAME,
            "feed.provider": self.context.provider(obj),
            "classification.taxonomy": classification[0],
            "classification.type": classification[1],
            "tlp": tlp,
            "raw": json_text(obj),
        }
        if malware:
            record["malware.name"] = malware[0]
            record["classification.identifier"] = malware[0]
        values = dict(_common_extra(obj))
        values["validation.notes"] = self.context.notes.get(str(obj["id"]))
        values.update(extra)
        if len(malware) > 1:
            values["malware.names"] = malware
        key = [str(obj["id"])]
        if observable is not None:
            record.update(observable.fields)
            values.update(observable.extra)
            key += observable.key()
        record["extra"] = compact_extra(values)
        record["event_key"] = "|".join(key)
        self.stager.add(record)

    def reject(self, index: int, obj: Mapping[str, Any], problem: RecordError) -> None:
        self.stager.reject(line=index, field=problem.field, reason=problem.reason, raw=json_text(obj))

    # -- indicators ------------------------------------------------------------------------------

    def indicator_observables(self, obj: Mapping[str, Any]) -> tuple[list[Observable], list[RecordError], list[str]]:
        """The observables of an indicator's pattern, the problems of the alternatives that cannot be
        mapped, and the pattern's qualifiers."""
        known = self.context.indicator_observables.get(str(obj["id"]))
        if obj.get("pattern_type") != "stix":
            problem = RecordError(
                "pattern_type", f"pattern_type {obj.get('pattern_type')!r} is not mapped; only STIX patterns are"
            )
            return [], [problem], []
        pattern = obj.get("pattern")
        if not isinstance(pattern, str):
            return [], [RecordError("pattern", "the indicator has no pattern")], []
        try:
            alternatives, qualifiers = pattern_alternatives(pattern)
        except RecordError as problem:
            return [], [problem], []
        observables: list[Observable] = []
        problems: list[RecordError] = []
        for comparisons in alternatives:
            try:
                observables.append(observable_from_comparisons(comparisons))
            except RecordError as problem:
                problems.append(problem)
        if known is None:
            self.context.indicator_observables[str(obj["id"])] = observables
        return observables, problems, qualifiers

    def indicator_class(self, obj: Mapping[str, Any]) -> tuple[str, str]:
        malware = self.context.malware_of.get(str(obj["id"]), [])
        malware_types = [MALWARE_TYPES.get(t.lower()) for m in malware for t in _strings(m.get("malware_types"))]
        return classify(
            _tag_classes(obj),
            _words(_strings(obj.get("indicator_types"))),
            _words(_strings(obj.get("labels"))),
            malware_types,
        )

    def map_indicator(self, index: int, obj: Mapping[str, Any]) -> None:
        time_source = stix_timestamp(obj, "valid_from")
        observables, problems, qualifiers = self.indicator_observables(obj)
        for problem in problems:
            self.reject(index, obj, problem)
        malware = _malware_names(self.context.malware_of.get(str(obj["id"]), []))
        extra = {
            "indicator_types": obj.get("indicator_types"),
            "pattern": obj.get("pattern"),
            "pattern.qualifiers": qualifiers,
            "valid_until": obj.get("valid_until"),
        }
        classification = self.indicator_class(obj)
        tlp = self.context.tlp(obj)
        for observable in observables:
            self.event(obj, time_source, observable, classification, malware, tlp, extra)

    # -- observed data ---------------------------------------------------------------------------

    def map_observed_data(self, index: int, obj: Mapping[str, Any]) -> None:
        time_source = stix_timestamp(obj, "first_observed")
        embedded = obj.get("objects")
        refs = _strings(obj.get("object_refs"))
        scos: dict[str, dict[str, Any]] = {}
        if isinstance(embedded, dict) and embedded:
            scos = {str(k): v for k, v in embedded.items() if isinstance(v, dict)}
            marked: list[Mapping[str, Any]] = [obj]
        else:
            scos = {ref: self.context.objects[ref] for ref in refs if ref in self.context.objects}
            marked = [obj, *scos.values()]
        observables, unmapped = sco_observables(scos)
        if not observables:
            if scos:
                kinds = ", ".join(sorted({str(s.get("type")) for s in scos.values()}))
                reason = f"no observable cyberplan maps (object types: {kinds})"
            else:
                reason = "none of the objects it refers to is a valid object of the bundle"
            raise RecordError("object_refs" if refs else "objects", reason)
        extra = {
            "number_observed": obj.get("number_observed"),
            "last_observed": obj.get("last_observed"),
            "unmapped_objects": unmapped,
            "missing_refs": [ref for ref in refs if ref not in scos],
        }
        classification = classify(_tag_classes(obj), _words(_strings(obj.get("labels"))))
        tlp = self.context.tlp(*marked)
        for observable in observables:
            self.event(obj, time_source, observable, classification, [], tlp, extra)

    # -- sightings and incidents -----------------------------------------------------------------

    def map_sighting(self, index: int, obj: Mapping[str, Any]) -> None:
        time_source = stix_timestamp(obj, "first_seen" if obj.get("first_seen") is not None else "created")
        target = self.context.objects.get(str(obj.get("sighting_of_ref")))
        extra = {
            "sighting.count": obj.get("count"),
            "sighting_of_ref": obj.get("sighting_of_ref"),
            "last_seen": obj.get("last_seen"),
            "where_sighted": self.context.names(obj.get("where_sighted_refs")),
            "observed_data_refs": obj.get("observed_data_refs"),
        }
        observables: list[Observable] = []
        malware: list[str] = []
        classification = classify(_tag_classes(obj))
        tlp = self.context.tlp(obj, target) if target is not None else self.context.tlp(obj)
        if target is not None and target["type"] == "indicator":
            observables = self.indicator_observables(target)[0]
            malware = _malware_names(self.context.malware_of.get(str(target["id"]), []))
            classification = classify([classification], [self.indicator_class(target)])
            extra["indicator.name"] = target.get("name")
        elif target is not None and target["type"] == "malware":
            malware = _malware_names([target])
        carried: list[Observable | None] = [*observables] or [None]  # no observable: one event all the same
        for observable in carried:
            self.event(obj, time_source, observable, classification, malware, tlp, extra)

    def map_incident(self, index: int, obj: Mapping[str, Any]) -> None:
        incident_types: list[str] = []
        extensions = obj.get("extensions")
        for extension in extensions.values() if isinstance(extensions, dict) else []:
            if isinstance(extension, dict):
                incident_types += _strings(extension.get("incident_types")) + _strings(extension.get("incident_type"))
        classification = classify(_tag_classes(obj), _words(_strings(obj.get("labels"))), _words(incident_types))
        extra = {"incident_types": incident_types}
        self.event(obj, stix_timestamp(obj, "created"), None, classification, [], self.context.tlp(obj), extra)


MAPPERS = {
    "indicator": BundleMapper.map_indicator,
    "observed-data": BundleMapper.map_observed_data,
    "sighting": BundleMapper.map_sighting,
    "incident": BundleMapper.map_incident,
}
