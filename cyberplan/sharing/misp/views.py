"""The MISP feed of a collection: ``manifest.json``, ``hashes.csv`` and ``<event uuid>.json``, as a MISP
instance reads a feed it subscribes to by URL.

A partner authenticates with the same partner credential as over TAXII (HTTP Basic, or a Bearer key, which
MISP's feed settings let an administrator add as a header). Only the collection's indicators the release rule
lets go to the credential's organisation become events (``PartnerView.objects``: never TLP:RED, TLP:AMBER+STRICT
only to the owner, TLP:AMBER only to members that need to know), and each answer that sends events is recorded
as a release, counted by label, on the ``misp`` channel, as TAXII answers are.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ..access import PartnerView, access_partner_collection, credential_from_request
from ..actions import note_credential_used, record_release
from ..models import PartnerCredential
from .events import FeedEvent, feed_event, feed_events

CHANNEL = "misp"
View = Callable[..., HttpResponse]


def _json(body: Any, status: int = 200) -> HttpResponse:
    from pymisp.abstract import pymisp_json_default

    return HttpResponse(json.dumps(body, default=pymisp_json_default), status=status, content_type="application/json")


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
            return view(request, partner, *args, **kwargs)
        except Http404:
            return _json({"message": _("Not found")}, 404)

    return wrapper


def released_events(partner: PartnerView) -> list[FeedEvent]:
    """The events of the indicators this credential receives (their latest versions), in the keyset's order."""
    rows = partner.objects().filter(stix_type="indicator", is_latest=True).select_related("owner")
    return feed_events(rows.order_by("date_added", "pk").iterator(chunk_size=1000))


def _released(partner: PartnerView, events: list[FeedEvent]) -> None:
    credential: PartnerCredential = partner.credential
    record_release(
        partner.collection,
        Counter(event.tlp for event in events),
        recipient=credential.holder,
        credential=credential,
        channel=CHANNEL,
    )


@feed_view
def manifest(request: HttpRequest, partner: PartnerView) -> HttpResponse:
    events = released_events(partner)
    _released(partner, events)
    return _json({event.uuid: event.manifest for event in events})


@feed_view
def hashes(request: HttpRequest, partner: PartnerView) -> HttpResponse:
    events = released_events(partner)
    _released(partner, events)
    lines = [f"{digest},{event.uuid}\n" for event in events for digest in event.hashes]
    return HttpResponse("".join(lines), content_type="text/csv; charset=utf-8")


@feed_view
def event(request: HttpRequest, partner: PartnerView, event_id: str) -> HttpResponse:
    rows = partner.objects().filter(stix_type="indicator", is_latest=True, stix_id=f"indicator--{event_id}")
    row = rows.select_related("owner").first()
    found = feed_event(row) if row is not None else None
    if found is None:
        return _json({"message": _("Not found")}, 404)
    _released(partner, [found])
    return _json(found.body)
