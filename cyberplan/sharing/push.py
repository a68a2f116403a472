"""The TAXII 2.1 client, outbound: pushing one of the organisation's collections to a partner's collection.

A push reads the objects of the local collection added after its watermark (``pushed_up_to``), in the order
they were added, and lets each one through the release rule (``cyberplan.core.release.may_release``) with the
partner organisation as recipient, exactly as the TAXII server would for a credential of that organisation:
``TLP:RED`` never leaves, ``TLP:AMBER`` goes only to a member that needs to know, nothing above the group's
ceiling goes at all. What may go is sent with OASIS ``taxii2-client`` in envelopes of at most
``PUSH_BATCH`` objects that fit the partner's ``max_content_length``; each envelope's release decision is
recorded and audited (``record_release``, channel ``taxii-push``) before it is sent, and the partner's status
resource is followed until it is complete.

The watermark moves past an envelope only once the partner's status says it is complete (objects the partner
refused count as failed, with its messages, and are not sent again). A partner that is down, too slow, refuses
the credentials or answers something that is not TAXII 2.1 leaves a clear status and the watermark where the
last complete envelope put it, so the next push sends the rest again (adding an object twice changes nothing on
a TAXII server).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cyberplan.core import audit
from cyberplan.core.choices import AuditAction
from cyberplan.core.models import User
from cyberplan.core.release import Standing, may_release

from .actions import recipient_reads, record_release
from .choices import PushState
from .client import classify_failure, collection_url, partner_connection
from .models import GroupMember, Push, SharedObject

PUSH_BATCH = 1000  # objects per envelope at most
FAILURES_KEPT = 50  # the partner's messages kept on the push
CHANNEL = "taxii-push"
POLL_SECONDS = 0.5
_ENVELOPE_OVERHEAD = len(b'{"objects":[]}')


@dataclass
class PushOutcome:
    state: str
    sent: int = 0
    succeeded: int = 0
    failed: int = 0
    pending: int = 0
    withheld: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)
    error: str = ""
    watermark: dt.datetime | None = None


@dataclass
class Batch:
    """One envelope's worth of objects, and how far in the collection it reaches (withheld objects included)."""

    parts: list[bytes] = field(default_factory=list)
    labels: Counter[str] = field(default_factory=Counter)
    size: int = _ENVELOPE_OVERHEAD
    withheld: int = 0
    too_large: list[dict[str, str]] = field(default_factory=list)
    last: dt.datetime | None = None

    def envelope(self) -> bytes:
        return b'{"objects":[' + b",".join(self.parts) + b"]}"


def _standing(push: Push, owner_id: int, member: GroupMember | None) -> Standing:
    """The recipient's standing for an object owned by ``owner_id`` (as ``PartnerView.standing_towards``)."""
    if owner_id == push.recipient_id:
        return Standing.OWNER
    if push.recipient_id == push.collection.group.organisation_id:
        return Standing.NEED_TO_KNOW
    if member is not None and member.can_read:
        return Standing.NEED_TO_KNOW if member.need_to_know else Standing.MEMBER
    return Standing.NON_MEMBER


def _candidates(push: Push) -> Iterator[tuple[SharedObject, bool]]:
    """Every object version added after the watermark, in the order added, and whether it may go."""
    member = GroupMember.objects.filter(group=push.collection.group, organisation_id=push.recipient_id).first()
    ceiling = push.collection.group.tlp_ceiling
    rows = SharedObject.objects.filter(collection=push.collection)
    if push.pushed_up_to is not None:
        rows = rows.filter(date_added__gt=push.pushed_up_to)
    for row in rows.order_by("date_added", "pk").iterator(chunk_size=PUSH_BATCH):
        standing = _standing(push, row.owner_id, member)
        yield row, may_release(label=row.tlp, standing=standing, role=None, group_ceiling=ceiling)


def batches(push: Push, max_bytes: int) -> Iterator[Batch]:
    """The releasable objects in envelopes of at most ``PUSH_BATCH`` objects and ``max_bytes`` bytes."""
    batch = Batch()
    for row, released in _candidates(push):
        if not released:
            batch.withheld += 1
            batch.last = row.date_added
            continue
        part = json.dumps(row.body, ensure_ascii=False).encode("utf-8")
        if _ENVELOPE_OVERHEAD + len(part) > max_bytes:
            message = _("The object is larger than the partner's max_content_length (%(n)d bytes).") % {"n": max_bytes}
            batch.too_large.append({"id": row.stix_id, "version": row.version, "message": message})
            batch.last = row.date_added
            continue
        if batch.parts and (len(batch.parts) >= PUSH_BATCH or batch.size + len(part) + 1 > max_bytes):
            yield batch
            batch = Batch()
        batch.size += len(part) + (1 if batch.parts else 0)
        batch.parts.append(part)
        batch.labels[row.tlp] += 1
        batch.last = row.date_added
    if batch.parts or batch.last is not None:
        yield batch


def _open(push: Push, timeout: float) -> tuple[Any, int]:
    """The partner's collection (checked writable) and its API root's ``max_content_length``."""
    from taxii2client.exceptions import AccessError
    from taxii2client.v21 import ApiRoot
    from taxii2client.v21 import Collection as TaxiiCollection

    connection, _session = partner_connection(push.username, push.partner_password(), timeout)
    root = ApiRoot(push.api_root_url.rstrip("/") + "/", conn=connection)
    limit = int(root.max_content_length)
    if limit <= _ENVELOPE_OVERHEAD:
        raise ValueError(_("the API root's max_content_length is %(n)s") % {"n": limit})
    collection = TaxiiCollection(collection_url(push.api_root_url, push.partner_collection_id), conn=connection)
    if not collection.can_write:
        raise AccessError(_("the partner's collection does not let this account write"))
    return collection, limit


def _send(push: Push, collection: Any, batch: Batch, outcome: PushOutcome, timeout: float) -> bool:
    """Send one envelope and follow its status; whether it completed (so the watermark may pass it)."""
    record_release(push.collection, batch.labels, recipient=push.recipient, credential=None, channel=CHANNEL)
    outcome.sent += len(batch.parts)
    status = collection.add_objects(
        batch.envelope(), wait_for_completion=True, poll_interval=POLL_SECONDS, timeout=timeout
    )
    outcome.succeeded += int(status.success_count or 0)
    outcome.failed += int(status.failure_count or 0)
    for failure in status.failures or []:
        if len(outcome.failures) < FAILURES_KEPT and isinstance(failure, dict):
            outcome.failures.append({key: str(failure.get(key, "")) for key in ("id", "version", "message")})
    if status.status != "complete":
        outcome.pending += int(status.pending_count or 0)
        return False
    return True


def _push_batches(push: Push, outcome: PushOutcome, timeout: float) -> None:
    collection, limit = _open(push, timeout)
    for batch in batches(push, limit):
        outcome.withheld += batch.withheld
        outcome.failed += len(batch.too_large)
        outcome.failures += batch.too_large[: max(0, FAILURES_KEPT - len(outcome.failures))]
        if batch.parts and not _send(push, collection, batch, outcome, timeout):
            outcome.state = PushState.PENDING
            outcome.error = _("The partner had not finished adding the objects after %(s)d seconds.") % {"s": timeout}
            return
        outcome.watermark = batch.last


def do_push(actor: User | None, push: Push, *, timeout: float | None = None) -> PushOutcome:
    """Push what is new in the collection to the partner once, and record how it went on the push (audited)."""
    seconds = float(timeout if timeout is not None else settings.CYBERPLAN_TAXII_CLIENT_TIMEOUT)
    outcome = PushOutcome(PushState.OK, watermark=push.pushed_up_to)
    if not recipient_reads(push.collection, push.recipient_id):
        outcome.state = PushState.NOT_RECEIVER
        outcome.error = _("%(org)s is no longer a reader of the collection's sharing group; nothing was sent.") % {
            "org": push.recipient
        }
    else:
        try:
            _push_batches(push, outcome, seconds)
        except Exception as error:  # any failure of the partner: classified and recorded; the watermark stays
            outcome.state, outcome.error = classify_failure(error)
    if outcome.state == PushState.OK and outcome.failed:
        outcome.state = PushState.PARTLY_REFUSED
    _record(actor, push, outcome)
    return outcome


def _record(actor: User | None, push: Push, outcome: PushOutcome) -> None:
    with transaction.atomic():
        before_mark, before_state = push.pushed_up_to, push.last_state
        push.pushed_up_to = outcome.watermark
        push.last_push_at = timezone.now()
        push.last_state = outcome.state
        push.last_error = outcome.error
        push.last_sent = outcome.sent
        push.last_succeeded = outcome.succeeded
        push.last_failed = outcome.failed
        push.last_pending = outcome.pending
        push.last_withheld = outcome.withheld
        push.last_failures = outcome.failures[:FAILURES_KEPT]
        push.total_sent += outcome.sent
        push.save()
        counts = {
            "sent": outcome.sent,
            "succeeded": outcome.succeeded,
            "failed": outcome.failed,
            "pending": outcome.pending,
            "withheld": outcome.withheld,
        }
        audit.record(
            actor=actor if actor is not None and actor.pk else None,
            action=AuditAction.UPDATE,
            instance=push,
            changes={
                "pushed_up_to": [audit_time(before_mark), audit_time(push.pushed_up_to)],
                "last_state": [before_state, outcome.state],
                "pushed": [None, counts],
            },
            organisation=push.organisation,
        )


def audit_time(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def due_pushes() -> list[Push]:
    """Active pushes whose interval has passed since their last push (or never pushed)."""
    now = timezone.now()
    due = []
    for push in Push.objects.filter(active=True).select_related("organisation", "collection__group", "recipient"):
        last = push.last_push_at
        if last is None or (now - last).total_seconds() >= push.interval_minutes * 60:
            due.append(push)
    return due
