"""The TAXII 2.1 client: pulling a partner's collection into the organisation's event store.

A pull pages through the partner's objects added after the subscription's watermark with OASIS
``taxii2-client``, every page under a connect and read timeout. Only when every page has arrived are the objects
written, as one STIX bundle, through the threats app's STIX importer (deduplicated, invalid objects
quarantined with their reason); then the watermark moves to the partner's ``X-TAXII-Date-Added-Last`` of the
last page. A partner that is down, too slow, refuses the credentials or answers something that is not TAXII
2.1 leaves a clear status on the subscription, and nothing is imported and the watermark stays.
"""

from __future__ import annotations

import json
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cyberplan.core import audit
from cyberplan.core.choices import AuditAction
from cyberplan.core.encryption import SecretUnreadableError
from cyberplan.core.models import User
from cyberplan.threats.actions import do_register_import, do_run_import
from cyberplan.threats.choices import ImportFormat

from .choices import PullState
from .models import Subscription

PAGE_SIZE = 1000


class _TimedSession(requests.Session):
    """A requests session with a timeout on every request, keeping the last page's ``date_added`` header."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout
        self.date_added_last = ""

    def request(self, method: str, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout)
        response = super().request(method, url, *args, **kwargs)
        stamp = response.headers.get("X-TAXII-Date-Added-Last", "")
        if stamp:
            self.date_added_last = max(self.date_added_last, stamp)
        return response


@dataclass
class PullOutcome:
    state: str
    received: int = 0
    stored: int = 0
    quarantined: int = 0
    error: str = ""


def partner_connection(username: str, password: str, timeout: float) -> tuple[Any, _TimedSession]:
    """A taxii2-client connection to a partner (HTTP Basic when a user name is given), every request timed."""
    from taxii2client.common import _HTTPConnection

    connection = _HTTPConnection(user=username or None, password=password or None, version="2.1")
    session = _TimedSession(timeout)
    session.auth = connection.session.auth
    connection.session = session
    return connection, session


def collection_url(api_root_url: str, collection_id: str) -> str:
    return api_root_url.rstrip("/") + f"/collections/{collection_id}/"


def _fetch(subscription: Subscription, timeout: float) -> tuple[list[dict[str, Any]], str]:
    """Every object added after the watermark and the new watermark; raises on any failure of any page."""
    from taxii2client.v21 import Collection as TaxiiCollection
    from taxii2client.v21 import as_pages

    connection, session = partner_connection(subscription.username, subscription.partner_password(), timeout)
    url = collection_url(subscription.api_root_url, subscription.collection_id)
    collection = TaxiiCollection(url, conn=connection)
    filters: dict[str, str] = {}
    if subscription.added_after:
        filters["added_after"] = subscription.added_after
    objects: list[dict[str, Any]] = []
    for envelope in as_pages(collection.get_objects, per_request=PAGE_SIZE, **filters):
        if not isinstance(envelope, dict) or not isinstance(envelope.get("objects", []), list):
            raise ValueError(_("the answer is not a TAXII envelope"))
        objects += envelope.get("objects", [])
    return objects, session.date_added_last or subscription.added_after


def classify_failure(error: Exception) -> tuple[str, str]:
    """How a partner failed (a state shared by pulls and pushes) and a sentence saying so."""
    from taxii2client.exceptions import AccessError, TAXIIServiceException

    if isinstance(error, SecretUnreadableError):
        return PullState.SECRET_UNREADABLE, str(error)
    if isinstance(error, requests.Timeout):
        return PullState.TIMEOUT, _("The partner server did not answer in time (%(e)s).") % {"e": error}
    if isinstance(error, requests.ConnectionError):
        return PullState.UNREACHABLE, _("The partner server could not be reached (%(e)s).") % {"e": error}
    if isinstance(error, requests.HTTPError):
        status = error.response.status_code if error.response is not None else "?"
        return PullState.REFUSED, _("The partner server answered HTTP %(status)s.") % {"status": status}
    if isinstance(error, AccessError):
        return PullState.REFUSED, _("The partner server refused: %(e)s") % {"e": error}
    if isinstance(error, TAXIIServiceException | ValueError | KeyError | TypeError):
        return PullState.BAD_ANSWER, _("The partner server's answer is not TAXII 2.1: %(e)s") % {"e": error}
    return PullState.BAD_ANSWER, f"{type(error).__name__}: {error}"


def _classify(error: Exception) -> PullOutcome:
    state, message = classify_failure(error)
    return PullOutcome(state, error=message)


def _import(subscription: Subscription, objects: list[dict[str, Any]]) -> PullOutcome:
    bundle: dict[str, Any] = {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects}
    folder = Path(settings.DATA_DIR) / "taxii-pulls"
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", suffix=".json", dir=folder, delete=False, encoding="utf-8") as handle:
        json.dump(bundle, handle)
        path = Path(handle.name)
    try:
        name = f"taxii-{subscription.pk}-{timezone.now():%Y%m%dT%H%M%S}.json"
        record = do_register_import(
            None, subscription.organisation, path, file_name=name, format=ImportFormat.STIX, tlp=subscription.tlp
        )
        record = do_run_import(record, path)
    finally:
        path.unlink(missing_ok=True)
    if record.status != "succeeded":
        return PullOutcome(PullState.IMPORT_FAILED, received=len(objects), error=str(record.message or record.status))
    return PullOutcome(PullState.OK, received=len(objects), stored=record.stored, quarantined=record.quarantined)


def do_pull(actor: User | None, subscription: Subscription, *, timeout: float | None = None) -> PullOutcome:
    """Pull the subscription once and record how it went on it (audited)."""
    seconds = float(timeout if timeout is not None else settings.CYBERPLAN_TAXII_CLIENT_TIMEOUT)
    watermark = subscription.added_after
    try:
        objects, watermark = _fetch(subscription, seconds)
    except Exception as error:  # any failure of the partner: classified, recorded, nothing imported
        outcome = _classify(error)
    else:
        outcome = _import(subscription, objects) if objects else PullOutcome(PullState.OK)
    with transaction.atomic():
        before = {"added_after": subscription.added_after, "last_state": subscription.last_state}
        if outcome.state == PullState.OK:
            subscription.added_after = watermark
            subscription.total_received += outcome.received
        subscription.last_pull_at = timezone.now()
        subscription.last_state = outcome.state
        subscription.last_error = outcome.error
        subscription.last_received = outcome.received
        subscription.last_stored = outcome.stored
        subscription.last_quarantined = outcome.quarantined
        subscription.save()
        audit.record(
            actor=actor if actor is not None and actor.pk else None,
            action=AuditAction.UPDATE,
            instance=subscription,
            changes={
                "added_after": [before["added_after"], subscription.added_after],
                "last_state": [before["last_state"], outcome.state],
                "pulled": [None, {"received": outcome.received, "stored": outcome.stored}],
            },
            organisation=subscription.organisation,
        )
    return outcome


def due_subscriptions() -> list[Subscription]:
    """Active subscriptions whose interval has passed since their last pull (or never pulled)."""
    now = timezone.now()
    due = []
    for subscription in Subscription.objects.filter(active=True).select_related("organisation"):
        last = subscription.last_pull_at
        if last is None or (now - last).total_seconds() >= subscription.interval_minutes * 60:
            due.append(subscription)
    return due
