"""The wire rules of TAXII 2.1 (OASIS TAXII Version 2.1, Committee Specification 01): media types, error
bodies, timestamps, filters and the opaque keyset ``next`` token. Error texts follow the request's language."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
STIX_MEDIA_TYPE = "application/stix+json;version=2.1"


class TaxiiError(Exception):
    """An HTTP error answered with a TAXII error message (section 3.6.1)."""

    def __init__(self, status: int, title: str, description: str = "", headers: dict[str, str] | None = None):
        super().__init__(title)
        self.status = status
        self.title = title
        self.description = description
        self.headers = headers or {}

    def body(self) -> dict[str, str]:
        body = {"title": self.title, "http_status": str(self.status)}
        if self.description:
            body["description"] = self.description
        return body


def _media_parts(value: str) -> tuple[str, dict[str, str]]:
    main, *params = (part.strip() for part in value.split(";"))
    parsed: dict[str, str] = {}
    for param in params:
        name, _, val = param.partition("=")
        parsed[name.strip().lower()] = val.strip().strip('"')
    return main.lower(), parsed


def is_taxii_media_type(value: str) -> bool:
    """``application/taxii+json`` at version 2.1 (or with no version, which means the latest)."""
    main, params = _media_parts(value)
    return main == "application/taxii+json" and params.get("version", "2.1") == "2.1"


def accepts_taxii(accept: str) -> bool:
    """Whether an ``Accept`` header admits the TAXII 2.1 media type (section 1.6.8)."""
    return any(is_taxii_media_type(item) for item in accept.split(",") if item.strip())


def taxii_timestamp(value: dt.datetime) -> str:
    """A TAXII timestamp: UTC with microseconds."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_timestamp(text: str) -> dt.datetime:
    """An RFC 3339 UTC timestamp with any sub-second precision; ``ValueError`` when it is not one."""
    body = text.strip()
    if not body.endswith(("Z", "z")):
        raise ValueError(text)
    body = body[:-1]
    if "." in body:
        head, fraction = body.split(".", 1)
        if not fraction.isdigit():
            raise ValueError(text)
        body = f"{head}.{(fraction + '000000')[:6]}"
    return dt.datetime.fromisoformat(body).replace(tzinfo=dt.UTC)


def encode_next(date_added: dt.datetime, pk: int) -> str:
    raw = f"{taxii_timestamp(date_added)}|{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_next(token: str) -> tuple[dt.datetime, int]:
    """The keyset position of a ``next`` token; ``ValueError`` when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ValueError(token) from exc
    stamp, sep, pk = raw.partition("|")
    if not sep or not pk.isdigit():
        raise ValueError(token)
    return parse_timestamp(stamp), int(pk)


@dataclass
class Filters:
    """The URL parameters of a TAXII request that lists objects, versions or a manifest (section 3.4)."""

    added_after: dt.datetime | None = None
    limit: int | None = None
    after: tuple[dt.datetime, int] | None = None  # from ``next``
    ids: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)  # "all", "first", "last" or timestamps
    spec_versions: list[str] = field(default_factory=list)


def _values(query: dict[str, list[str]], name: str) -> list[str]:
    found: list[str] = []
    for raw in query.get(name, []):
        found.extend(v.strip() for v in raw.split(",") if v.strip())
    return found


def parse_filters(
    query: dict[str, list[str]], *, max_page: int, default_versions: list[str], allow_id: bool = True
) -> Filters:
    """The filters of a request; a ``TaxiiError`` 400 naming the parameter when one is malformed."""
    filters = Filters(versions=default_versions)
    if "added_after" in query:
        try:
            filters.added_after = parse_timestamp(query["added_after"][-1])
        except ValueError:
            raise TaxiiError(
                400, "Bad added_after", "added_after must be a UTC timestamp such as 2026-01-01T00:00:00.000Z"
            ) from None
    if "limit" in query:
        text = query["limit"][-1]
        if not text.isdigit() or int(text) < 1:
            raise TaxiiError(400, _("Bad limit"), _("limit must be a whole number greater than zero."))
        filters.limit = min(int(text), max_page)
    if "next" in query:
        try:
            filters.after = decode_next(query["next"][-1])
        except ValueError:
            raise TaxiiError(400, _("Bad next"), _("next is not a value this server returned.")) from None
    if allow_id:
        filters.ids = _values(query, "match[id]")
    filters.types = _values(query, "match[type]")
    versions = _values(query, "match[version]")
    if versions:
        for version in versions:
            if version not in ("all", "first", "last"):
                try:
                    parse_timestamp(version)
                except ValueError:
                    raise TaxiiError(
                        400, "Bad match[version]", "match[version] takes all, first, last or timestamps"
                    ) from None
        filters.versions = versions
    filters.spec_versions = _values(query, "match[spec_version]")
    return filters
