"""Filling a collection with what its owner shares: the identity, the TLP 2.0 markings, indicators from the
event store and reports of published documents, at the labels the group may carry (the release rule).

Publishing twice with nothing new changes nothing: the objects have the same ids and versions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cyberplan.core import audit
from cyberplan.core.choices import AuditAction
from cyberplan.core.models import Organisation, User
from cyberplan.core.release import Standing, labels_released_to
from cyberplan.jobs.choices import JobStatus
from cyberplan.jobs.models import Job
from cyberplan.strategy.choices import VersionStatus
from cyberplan.strategy.models import StrategyVersion
from cyberplan.threats.access import organisation_store_labels
from cyberplan.threats.store import event_store

from . import stix_out
from .actions import add_objects
from .choices import CollectionContent
from .models import Collection


@dataclass
class PublishSummary:
    added: int = 0
    unchanged: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"added": self.added, "unchanged": self.unchanged, "failed": len(self.failed)}


def owner_of(organisation: Organisation) -> stix_out.Owner:
    return stix_out.Owner(
        key=organisation.slug,
        name=str(organisation.name),
        since=organisation.created_at,
    )


def collection_labels(collection: Collection) -> list[str]:
    """The labels a collection may hold at all: what its group's ceiling lets go to anyone (never RED)."""
    return labels_released_to(standing=Standing.OWNER, role=None, group_ceiling=collection.group.tlp_ceiling)


def documents_of(organisation: Organisation, labels: list[str]) -> list[stix_out.Document]:
    """The organisation's published documents at ``labels``: published strategy versions, finished trends reports."""
    documents: list[stix_out.Document] = []
    versions = StrategyVersion.objects.filter(
        strategy__organisation=organisation, status=VersionStatus.PUBLISHED, strategy__tlp__in=labels
    ).select_related("strategy")
    for version in versions.order_by("pk"):
        if version.published_at is None:
            continue
        documents.append(
            stix_out.Document(
                kind="strategy-version",
                key=str(version.pk),
                title=version.citation,
                published=version.published_at,
                tlp=version.strategy.tlp,
                description=version.legal_reference,
            )
        )
    reports = Job.objects.filter(organisation=organisation, kind="trends_report", status=JobStatus.SUCCEEDED)
    for job in reports.order_by("pk"):
        parameters = job.parameters if isinstance(job.parameters, dict) else {}
        label = str(parameters.get("tlp", ""))
        if label not in labels or job.finished_at is None:
            continue
        documents.append(
            stix_out.Document(
                kind="trends-report",
                key=str(job.pk),
                title=f"Threat trends report {parameters.get('period', '')}".strip(),
                published=job.finished_at,
                tlp=label,
            )
        )
    return documents


def shared_objects(collection: Collection) -> list[dict[str, Any]]:
    """Every STIX object the collection's owner shares in it now, at the labels it may hold."""
    organisation = collection.group.organisation
    owner = owner_of(organisation)
    labels = collection_labels(collection)
    objects: list[dict[str, Any]] = [stix_out.identity(owner)]
    objects += [stix_out.tlp_marking(label) for label in labels]
    if collection.content == CollectionContent.INDICATORS:
        # The owner reads its own store as an organisation (the threats app's rule), then the group's labels.
        readable = set(organisation_store_labels(organisation, organisation))
        store_labels = [label for label in labels if label in readable]
        for seen in stix_out.observations(event_store(organisation), store_labels):
            objects += stix_out.indicator_objects(owner, seen)
    elif collection.content == CollectionContent.DOCUMENTS:
        objects += [stix_out.report_object(owner, doc) for doc in documents_of(organisation, labels)]
    return objects


def do_publish(actor: User | None, collection: Collection) -> PublishSummary:
    """Publish what the owner shares into the collection (new objects and new versions only), audited."""
    organisation = collection.group.organisation
    labels = collection_labels(collection)
    outcome = add_objects(
        collection, shared_objects(collection), owner=organisation, default_tlp="clear", allowed_labels=labels
    )
    summary = PublishSummary(added=len(outcome.added), unchanged=len(outcome.unchanged), failed=outcome.failed)
    if outcome.added or outcome.failed:
        audit.record(
            actor=actor if actor is not None and actor.pk else None,
            action=AuditAction.UPDATE,
            instance=collection,
            changes={"published": [None, summary.as_dict()]},
            organisation=organisation,
        )
    return summary
