"""JSON export and import of an assessment, for exchange with a regional programme.

The file names the framework by id and version. An assessment is imported only onto exactly
that framework version, which must be loaded: answers to another version's indicators would be
scored against text they were not given for. Uploaded documents are not carried in the file;
their evidence travels as a citation naming the file, so the reader knows it exists.
The format is described in docs/how-to/capacity-assessment.md.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django_countries import countries

from cyberplan.core.choices import TLP
from cyberplan.core.models import Organisation, User

from . import actions
from .choices import AnswerValue, EvidenceKind, Method, StakeholderGroup
from .models import Answer, Assessment, Framework

FORMAT = "cyberplan-assessment"
FORMAT_VERSION = 1
MAX_BYTES = 10 * 1024 * 1024
TOP = frozenset({"format", "format_version", "framework", "assessment", "factors", "answers"})


class ExchangeError(ValueError):
    """An exchange file that cannot be imported; the message names the field."""


def export_assessment(assessment: Assessment) -> dict[str, Any]:
    answers: list[dict[str, Any]] = []
    for answer in Answer.objects.filter(assessment=assessment).prefetch_related("evidence").order_by("id"):
        evidence: list[dict[str, Any]] = []
        for ev in answer.evidence.all():
            item: dict[str, Any] = {"kind": ev.kind, "label": ev.label}
            if ev.kind == EvidenceKind.DOCUMENT:
                item = {
                    "kind": EvidenceKind.CITATION.value,
                    "label": ev.label,
                    "citation": f"document: {(ev.document.name or '').rsplit('/', 1)[-1] if ev.document else ev.label}",
                }
            else:
                for key in ("url", "citation"):
                    if getattr(ev, key):
                        item[key] = getattr(ev, key)
            if ev.note:
                item["note"] = ev.note
            evidence.append(item)
        if answer.value or answer.note or evidence:
            answers.append(
                {"indicator": answer.indicator_id, "value": answer.value, "note": answer.note, "evidence": evidence}
            )
    factors = []
    comments: dict[str, list[str]] = {}
    for comment in assessment.comments.order_by("created_at", "id"):
        comments.setdefault(comment.factor_id, []).append(comment.text)
    for factor in assessment.factors.order_by("id"):
        if factor.target_stage is not None or factor.factor_id in comments:
            factors.append(
                {
                    "factor": factor.factor_id,
                    "target_stage": factor.target_stage,
                    "comments": comments.get(factor.factor_id, []),
                }
            )
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "framework": {"id": assessment.framework.framework_id, "version": assessment.framework.version},
        "assessment": {
            "title": assessment.title,
            "country": str(assessment.country),
            "date": assessment.date.isoformat(),
            "method": assessment.method,
            "stakeholder_groups": list(assessment.stakeholder_groups),
            "tlp": assessment.tlp,
        },
        "factors": factors,
        "answers": answers,
    }


def _text(value: Any, where: str, required: bool = True, limit: int = 10_000) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise ExchangeError(f"{where}: expected a non-empty text")
    if len(value) > limit:
        raise ExchangeError(f"{where}: longer than {limit} characters")
    return value


def _mapping(
    value: Any, where: str, required: frozenset[str] | set[str], optional: frozenset[str] | set[str] = frozenset()
) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ExchangeError(f"{where}: expected an object")
    missing = sorted(required - set(value))
    if missing:
        raise ExchangeError(f"{where}.{missing[0]}: missing")
    extra = sorted(set(value) - required - set(optional))
    if extra:
        raise ExchangeError(f"{where}.{extra[0]}: unexpected field")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise ExchangeError(f"{where}: expected a list")
    return value


def parse_exchange(raw: bytes | str) -> dict[str, Any]:
    """Decode a file's JSON; raises ``ExchangeError`` for anything that is not a JSON object."""
    if isinstance(raw, bytes):
        if len(raw) > MAX_BYTES:
            raise ExchangeError(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ExchangeError(f"the file is not UTF-8 text (byte {exc.start})") from None
    try:
        doc = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ExchangeError(f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    return _mapping(doc, "(file)", TOP)


def import_assessment(actor: User | None, organisation: Organisation, raw: bytes | str | dict[str, Any]) -> Assessment:
    """Check an exchange file completely, then create the assessment (audited, in one transaction)."""
    doc = _mapping(raw, "(file)", TOP) if isinstance(raw, dict) else parse_exchange(raw)
    if doc["format"] != FORMAT:
        raise ExchangeError(f"format: expected {FORMAT!r}, found {doc['format']!r}")
    if doc["format_version"] != FORMAT_VERSION:
        raise ExchangeError(
            f"format_version: this platform reads version {FORMAT_VERSION}, found {doc['format_version']!r}"
        )
    framework = _framework(doc["framework"])
    details = _details(
        _mapping(doc["assessment"], "assessment", {"title", "country", "date", "method"}, {"stakeholder_groups", "tlp"})
    )
    factors = _factors(doc["factors"], framework)
    answers = _answers(doc["answers"], framework)
    try:
        with transaction.atomic():
            return actions.do_import_assessment(
                actor, organisation, framework, details=details, factors=factors, answers=answers
            )
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items())) if hasattr(exc, "error_dict") else ("", exc.messages)
        raise ExchangeError(f"assessment.{field}: {messages[0]}" if field else messages[0]) from None


def _framework(data: Any) -> Framework:
    """The loaded framework version the file names: only the exact version the assessment was made on."""
    fwd = _mapping(data, "framework", {"id", "version"})
    fid, fversion = _text(fwd["id"], "framework.id", limit=60), _text(fwd["version"], "framework.version", limit=30)
    framework = Framework.objects.filter(framework_id=fid, version=fversion).first()
    if framework is None:
        loaded = ", ".join(f.key for f in Framework.objects.filter(framework_id=fid)) or "none"
        raise ExchangeError(
            f"framework: the assessment was made on {fid}@{fversion}, which is not loaded here "
            f"(loaded versions of {fid}: {loaded}). Assessments are imported only onto the exact "
            "framework version they were made on; load that version first."
        )
    return framework


def _factors(data: Any, framework: Framework) -> list[actions.ImportedFactor]:
    structure = framework.structure()
    factors: list[actions.ImportedFactor] = []
    seen: set[str] = set()
    factor_ids = {f.id for f in structure.factors()}
    for n, item in enumerate(_list(data, "factors")):
        where = f"factors[{n}]"
        item = _mapping(item, where, {"factor"}, {"target_stage", "comments"})
        factor_id = _text(item["factor"], f"{where}.factor", limit=20)
        if factor_id not in factor_ids:
            raise ExchangeError(f"{where}.factor: {factor_id!r} is not a factor of {framework.key}")
        if factor_id in seen:
            raise ExchangeError(f"{where}.factor: {factor_id!r} is listed twice")
        seen.add(factor_id)
        target = item.get("target_stage")
        if target is not None and (
            not isinstance(target, int) or isinstance(target, bool) or not 1 <= target <= len(structure.stages)
        ):
            raise ExchangeError(f"{where}.target_stage: expected a stage from 1 to {len(structure.stages)} or null")
        comments = tuple(
            _text(c, f"{where}.comments[{i}]")
            for i, c in enumerate(_list(item.get("comments", []), f"{where}.comments"))
        )
        factors.append(actions.ImportedFactor(factor_id, target, comments))
    return factors


def _answers(data: Any, framework: Framework) -> list[actions.ImportedAnswer]:
    answers: list[actions.ImportedAnswer] = []
    indicator_ids = {i.id for i in framework.structure().indicators()}
    seen: set[str] = set()
    for n, item in enumerate(_list(data, "answers")):
        where = f"answers[{n}]"
        item = _mapping(item, where, {"indicator", "value"}, {"note", "evidence"})
        indicator = _text(item["indicator"], f"{where}.indicator", limit=30)
        if indicator not in indicator_ids:
            raise ExchangeError(f"{where}.indicator: {indicator!r} is not an indicator of {framework.key}")
        if indicator in seen:
            raise ExchangeError(f"{where}.indicator: {indicator!r} is answered twice")
        seen.add(indicator)
        value = item["value"]
        if value not in ("", *AnswerValue.values):
            raise ExchangeError(f"{where}.value: expected one of {', '.join(AnswerValue.values)}, found {value!r}")
        evidence = tuple(
            _evidence(ev, f"{where}.evidence[{e}]")
            for e, ev in enumerate(_list(item.get("evidence", []), f"{where}.evidence"))
        )
        answers.append(
            actions.ImportedAnswer(
                indicator, str(value), _text(item.get("note"), f"{where}.note", required=False), evidence
            )
        )
    return answers


def _evidence(data: Any, ewhere: str) -> actions.ImportedEvidence:
    ev = _mapping(data, ewhere, {"kind", "label"}, {"url", "citation", "note"})
    kind = ev["kind"]
    if kind not in (EvidenceKind.URL, EvidenceKind.CITATION, EvidenceKind.PLATFORM):
        raise ExchangeError(f"{ewhere}.kind: expected url, citation or platform, found {kind!r}")
    imported = actions.ImportedEvidence(
        kind=kind,
        label=_text(ev["label"], f"{ewhere}.label", limit=250),
        url=_text(ev.get("url"), f"{ewhere}.url", required=False, limit=500),
        citation=_text(ev.get("citation"), f"{ewhere}.citation", required=False, limit=300),
        note=_text(ev.get("note"), f"{ewhere}.note", required=False),
    )
    try:
        actions.check_evidence(imported.kind, imported.url, imported.citation, False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ExchangeError(f"{ewhere}.{field}: {messages[0]}") from None
    return imported


def _details(data: dict[str, Any]) -> dict[str, Any]:
    title = _text(data["title"], "assessment.title", limit=250)
    country = _text(data["country"], "assessment.country", limit=2).upper()
    if country not in dict(countries):
        raise ExchangeError(f"assessment.country: {country!r} is not an ISO 3166-1 alpha-2 country code")
    try:
        date = dt.date.fromisoformat(_text(data["date"], "assessment.date", limit=10))
    except ValueError:
        raise ExchangeError(f"assessment.date: {data['date']!r} is not a date (YYYY-MM-DD)") from None
    if data["method"] not in Method.values:
        raise ExchangeError(f"assessment.method: expected one of {', '.join(Method.values)}, found {data['method']!r}")
    groups = _list(data.get("stakeholder_groups", []), "assessment.stakeholder_groups")
    for n, group in enumerate(groups):
        if group not in StakeholderGroup.values:
            raise ExchangeError(
                f"assessment.stakeholder_groups[{n}]: expected one of {', '.join(StakeholderGroup.values)}, "
                f"found {group!r}"
            )
    tlp = data.get("tlp", TLP.AMBER)
    if tlp not in TLP.values:
        raise ExchangeError(f"assessment.tlp: expected one of {', '.join(TLP.values)}, found {tlp!r}")
    return {
        "title": title,
        "country": country,
        "date": date,
        "method": data["method"],
        "stakeholder_groups": groups,
        "tlp": tlp,
    }
