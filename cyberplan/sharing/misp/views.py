"""The MISP feed of a collection: ``manifest.json``, ``hashes.csv`` and ``<event uuid>.json``, as a MISP
instance reads a feed it subscribes to by URL.

A partner authenticates with the same partner credential as over TAXII (HTTP Basic, or a Bearer key, which
MISP's feed settings let an administrator add as a header). Only the collection's objects the release rule
lets go to the credential's organisation become events (``readers.partner_reader``: never TLP:RED,
TLP:AMBER+STRICT only to the owner, TLP:AMBER only to members that need to know). The manifest and hashes
come from the cache (``feed.cached_feed``) and carry an ``ETag`` and ``Last-Modified``; a conditional request
that matches is answered 304 and sends nothing. Each answer that sends events is recorded as a release,
counted by label, on the ``misp`` channel, as TAXII answers are.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ..access import access_partner_collection, credential_from_request
from ..actions import note_credential_used, record_release
from .feed import CachedFeed, cache_key, cached_feed, one_event
from .readers import Reader, partner_reader

CHANNEL = "misp"
View = Callable[..., HttpResponse]


def _json(body: Any, status: int = 200) -> HttpResponse:
    import json

    return HttpResponse(json.dumps(body), status=status, content_type="application/json")


def feed_view(view: View) -> View:
    """Authentication, the collection as the credential sees it, and JSON errors around a feed file."""

    @require_GET
    @wraps(view)
    def wrapper(request: HttpRequest, collection_id: str, *args: Any, **kwargs: Any) -> HttpResponse:
        credential = credential_from_request(request)
        if credential is None:
            response = _json(
                {"message": _("Give a valid partner credential (HTTP Basic: credential id and secret).")}, 401
            )
            response["WWW-Authenticate"] = 'Basic realm="cyberplan MISP feed"'
            return response
        try:
            partner = access_partner_collection(credential, str(collection_id))
            if not partner.can_read:
                return _json({"message": _("This credential may not read the collection.")}, 403)
            note_credential_used(credential)
            return view(request, partner_reader(partner), *args, **kwargs)
        except Http404:
            return _json({"message": _("Not found")}, 404)

    return wrapper


def _released(reader: Reader, counts: dict[str, int]) -> None:
    record_release(reader.collection, counts, recipient=reader.recipient, credential=reader.credential, channel=CHANNEL)


def _conditional(request: HttpRequest, etag: str, last_modified: int | None) -> HttpResponse | None:
    """304 when the request's ``If-None-Match`` (or, without it, ``If-Modified-Since``) matches."""
    return get_conditional_response(request, etag=quote_etag(etag), last_modified=last_modified)


def _cached_answer(request: HttpRequest, reader: Reader, body: Callable[[CachedFeed], str], kind: str) -> HttpResponse:
    etag = cache_key(reader)
    # A poll with the current ETag is answered from the key alone, without reading the cached entry.
    response = _conditional(request, etag, None) if request.headers.get("If-None-Match") else None
    if response is None:
        feed = cached_feed(reader, etag)
        modified = int(feed.built_at.timestamp())
        response = _conditional(request, etag, modified)
        if response is None:
            response = HttpResponse(body(feed), content_type=kind)
            _released(reader, feed.counts)
        response["Last-Modified"] = http_date(modified)
    response["ETag"] = quote_etag(etag)
    response["Cache-Control"] = "private, no-cache"  # a shared cache must not keep one partner's answer
    return response


@feed_view
def manifest(request: HttpRequest, reader: Reader) -> HttpResponse:
    return _cached_answer(request, reader, lambda feed: feed.manifest, "application/json")


@feed_view
def hashes(request: HttpRequest, reader: Reader) -> HttpResponse:
    return _cached_answer(request, reader, lambda feed: feed.hashes, "text/csv; charset=utf-8")


@feed_view
def event(request: HttpRequest, reader: Reader, event_id: str) -> HttpResponse:
    try:
        wanted = str(uuid.UUID(event_id))
    except ValueError:
        wanted = None
    found = one_event(reader, wanted) if wanted is not None else None
    if found is None:
        return _json({"message": _("No event with this uuid in the feed.")}, 404)
    etag = hashlib.sha256(found.text.encode()).hexdigest()[:40]
    response = _conditional(request, etag, None)
    if response is None:
        response = HttpResponse(found.text, content_type="application/json")
        _released(reader, found.counts)
    response["ETag"] = quote_etag(etag)
    response["Cache-Control"] = "private, no-cache"
    return response
