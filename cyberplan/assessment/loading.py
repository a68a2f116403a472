"""Loading framework files into the database: by command, and for the shipped model after ``migrate``.

A framework is identified by its id and version. Loading the same content again does nothing;
loading a different content under an id and version already stored is refused, because
assessments made on that version must keep scoring against what they were made on. The content
compared is the parsed document (as canonical JSON), so comments and layout of the YAML file do
not count as a change.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from django.db import transaction

from cyberplan.core import audit

from . import framework as fw
from .models import Framework


class FrameworkConflictError(Exception):
    """A different framework content is already stored under the same id and version."""


def document_digest(document: Any) -> str:
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@transaction.atomic
def load_framework_file(path: str | Path = fw.DEFAULT_FRAMEWORK) -> tuple[Framework, bool]:
    """Store the framework in ``path``; returns ``(framework, created)``.

    Raises ``FrameworkError`` (from the loader) for a file that cannot be used and
    ``FrameworkConflictError`` when another content is stored under the same id and version.
    """
    document, structure = fw.read_framework_document(path)
    # JSON round trip: what is stored is exactly what will be read back.
    document = json.loads(json.dumps(document, ensure_ascii=False))
    digest = document_digest(document)
    existing = Framework.objects.filter(framework_id=structure.id, version=structure.version).first()
    if existing is not None:
        if existing.digest != digest:
            raise FrameworkConflictError(
                f"{Path(path).name}: framework {structure.key} is already loaded with different content. "
                "A changed framework needs a new version number in its file; assessments made on "
                f"{structure.key} keep the content they were made on."
            )
        return existing, False
    record = Framework.objects.create(
        framework_id=structure.id,
        version=structure.version,
        title_en=structure.title.en[:250],
        title_es=structure.title.es[:250],
        scoring=structure.scoring,
        document=document,
        digest=digest,
        source_name=Path(path).name[:250],
    )
    audit.record_create(None, record)
    return record, True


def load_shipped_framework_after_migrate(**kwargs: Any) -> None:
    """post_migrate: make sure every shipped version of the model is in the database (idempotent).

    Oldest first, so the newest is the latest loaded, the one a new assessment is offered first.
    """
    using = kwargs.get("using", "default")
    if using != "default":
        return
    for path in fw.SHIPPED_FRAMEWORKS:
        try:
            load_framework_file(path)
        except FrameworkConflictError:
            # A locally changed copy under the same version: leave the stored one; the command says why.
            continue
