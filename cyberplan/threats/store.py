"""Where each organisation's events live, and the bridge from Django records to the pipeline."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
from django.conf import settings

from cyberplan.core.models import Organisation
from cyberplan.pipeline.enrich import ConstituencyEntry as PipelineEntry
from cyberplan.pipeline.enrich import constituency_rows
from cyberplan.pipeline.store import EventStore

from .models import ConstituencyEntry


def store_root(organisation: Organisation) -> Path:
    return Path(settings.CYBERPLAN_EVENTS_DIR) / f"org-{organisation.pk}"


def event_store(organisation: Organisation) -> EventStore:
    return EventStore(store_root(organisation))


def constituency_table(organisation: Organisation) -> pa.Table | None:
    entries = [
        PipelineEntry(
            network=e.network,
            asn=e.asn,
            as_name=e.as_name,
            organisation=e.holder,
            sector=e.sector.code if e.sector else "",
            country=str(e.country or ""),
            organisation_type=e.holder_type,
        )
        for e in ConstituencyEntry.objects.filter(organisation=organisation).select_related("sector")
    ]
    return constituency_rows(entries) if entries else None
