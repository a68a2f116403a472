"""Background export of an organisation's audit log as CSV: a job kind, so it lives above ``jobs``."""

from __future__ import annotations

import io
import json
from typing import Any

from django.core.files.base import ContentFile

from cyberplan.core.csvsafe import write_rows
from cyberplan.core.models import AuditEntry
from cyberplan.jobs.models import Job
from cyberplan.jobs.registry import Progress

AUDIT_EXPORT = "audit_export"
BATCH = 500


def export_audit_log(job: Job, progress: Progress) -> dict[str, Any]:
    entries = AuditEntry.objects.filter(organisation=job.organisation).select_related("content_type")
    total = entries.count()
    progress.update(0, total)
    buffer = io.StringIO()

    def rows() -> Any:
        for index, entry in enumerate(entries.iterator(chunk_size=BATCH), start=1):
            yield [
                entry.timestamp.isoformat(),
                entry.actor_name,
                entry.action,
                f"{entry.content_type.app_label}.{entry.content_type.model}",
                entry.object_id,
                entry.object_repr,
                entry.source,
                json.dumps(entry.changes, ensure_ascii=False, sort_keys=True),
            ]
            if index % BATCH == 0:
                progress.update(index)

    count = write_rows(
        buffer, ["timestamp", "actor", "action", "record_type", "record_id", "record", "channel", "changes"], rows()
    )
    job.output.save(f"audit-{job.organisation.slug}.csv", ContentFile(buffer.getvalue().encode("utf-8")), save=True)
    progress.update(count, total)
    return {"rows": count}
