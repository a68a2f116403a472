"""Limits and checks for every uploaded file."""

from __future__ import annotations

from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

# Document types accepted as evidence, with the first bytes each must start with (None: text).
EVIDENCE_TYPES: dict[str, tuple[bytes, ...] | None] = {
    ".pdf": (b"%PDF-",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".odt": (b"PK\x03\x04",),
    ".ods": (b"PK\x03\x04",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".csv": None,
    ".txt": None,
}


def validate_evidence_file(upload: UploadedFile[bytes]) -> None:
    """Reject files over the size limit, of an unaccepted type, or whose content does not match the type."""
    limit = settings.CYBERPLAN_MAX_UPLOAD_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("The file %(name)s is %(size)s; the limit is %(limit)s.")
            % {"name": upload.name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    suffix = PurePath(upload.name or "").suffix.lower()
    if suffix not in EVIDENCE_TYPES:
        raise ValidationError(
            _("Files of type %(type)s are not accepted as evidence. Accepted types: %(types)s.")
            % {"type": suffix or _("(none)"), "types": ", ".join(sorted(EVIDENCE_TYPES))},
            code="bad_type",
        )
    head = upload.read(2048)
    upload.seek(0)
    signatures = EVIDENCE_TYPES[suffix]
    if signatures is None:
        if b"\x00" in head:
            raise ValidationError(
                _("The file %(name)s is named as text but contains binary data.") % {"name": upload.name},
                code="bad_content",
            )
    elif not any(head.startswith(sig) for sig in signatures):
        raise ValidationError(
            _("The content of %(name)s does not match its %(type)s extension.") % {"name": upload.name, "type": suffix},
            code="bad_content",
        )


def safe_filename(name: str) -> str:
    return get_valid_filename(PurePath(name).name)[:120] or "upload"
