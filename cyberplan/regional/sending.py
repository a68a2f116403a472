"""Sending an approved package to the regional programme by TAXII 2.1 (member side).

The member's instance has a TAXII push (:class:`~cyberplan.sharing.models.Push`) whose partner organisation
is the regional programme: a local collection of its own, and the regional programme's collection, address and
credentials (encrypted). Sending puts the package file's objects (the member's identity, the project's identity
and extension definition, the package) into that local collection, then pushes it with the sharing app's push
machinery: the release rule, the release record and its audit, envelopes and the partner's TAXII status.

Once the regional server has stored the package, its intake checks it in a worker job and adds an answer note
(:func:`.taxii_intake.answer_id`) saying accepted, or refused with the code and reason. The send reads that
note back for a while (``CYBERPLAN_REGIONAL_ANSWER_SECONDS``); without it the state stays *sent*, and sending
again later reads the answer (nothing is added twice). Every sending is recorded (:class:`.models.PackageSend`)
and audited.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cyberplan.core import audit
from cyberplan.core.choices import AuditAction
from cyberplan.core.models import User
from cyberplan.sharing.actions import add_objects
from cyberplan.sharing.choices import PushState
from cyberplan.sharing.client import collection_url, partner_connection
from cyberplan.sharing.models import Push
from cyberplan.sharing.push import PushOutcome, do_push

from .access import regional_pushes
from .choices import PackageState, SendState
from .models import PackageSend, StatisticsPackage
from .taxii_intake import ANSWER_CODE, ANSWER_OUTCOME, answer_id

AUDITED = ("package", "push", "state", "message")
_UNREACHABLE = (PushState.UNREACHABLE, PushState.TIMEOUT)
_REFUSED = (PushState.REFUSED, PushState.PARTLY_REFUSED, PushState.NOT_RECEIVER)


def _actor(actor: User | None) -> User | None:
    return actor if actor is not None and actor.pk else None


def check_send(package: StatisticsPackage, push: Push) -> None:
    """A ValidationError naming the field unless ``package`` may go through ``push``."""
    if package.state != PackageState.APPROVED:
        raise ValidationError(
            {
                "package": _("Only the approved package of a period is sent; this one is %(state)s.")
                % {"state": package.get_state_display()}
            }
        )
    if not regional_pushes(package).filter(pk=push.pk).exists():
        raise ValidationError(
            {
                "push": _("Choose a TAXII push of %(org)s whose partner is a regional programme.")
                % {"org": package.organisation}
            }
        )


@transaction.atomic
def _start(actor: User | None, package: StatisticsPackage, push: Push) -> PackageSend:
    sending = PackageSend.objects.create(package=package, push=push, sent_by=_actor(actor))
    audit.record_create(_actor(actor), sending, package.organisation)
    return sending


@transaction.atomic
def _finish(actor: User | None, sending: PackageSend, state: str, message: str) -> PackageSend:
    before = audit.snapshot(sending, AUDITED)
    sending.state = state
    sending.message = message[:4000]
    sending.finished_at = timezone.now()
    sending.save()
    audit.record(
        actor=_actor(actor),
        action=AuditAction.UPDATE,
        instance=sending,
        changes=audit.diff(before, audit.snapshot(sending, AUDITED)),
        organisation=sending.package.organisation,
    )
    return sending


def _stage(package: StatisticsPackage, push: Push) -> str:
    """Put the package file's objects into the push's local collection; a problem, or ''."""
    objects = [o for o in package.bundle()["objects"] if o.get("type") != "marking-definition"]
    outcome = add_objects(push.collection, objects, owner=package.organisation, default_tlp=package.tlp)
    return "; ".join(f"{f.get('id', '')}: {f.get('message', '')}" for f in outcome.failed)


def _pushed(outcome: PushOutcome) -> tuple[str, str]:
    """The sending's state and message after the push, before any answer is read."""
    if outcome.state == PushState.OK:
        return SendState.SENT, ""
    reasons = "; ".join(f"{f.get('id', '')}: {f.get('message', '')}" for f in outcome.failures)
    message = " ".join(part for part in (outcome.error, reasons) if part)
    if outcome.state in _UNREACHABLE:
        return SendState.UNREACHABLE, message
    if outcome.state in _REFUSED:
        return SendState.REFUSED, message
    return SendState.FAILED, message


def read_answer(push: Push, package: StatisticsPackage, timeout: float) -> dict[str, Any] | None:
    """The regional programme's answer note on the package, or None while there is none (or it is unreadable)."""
    from taxii2client.v21 import Collection as TaxiiCollection

    content = package.package()
    wanted = answer_id(str(content["id"]), str(content["modified"]))
    connection, _session = partner_connection(push.username, push.partner_password(), timeout)
    collection = TaxiiCollection(collection_url(push.api_root_url, push.partner_collection_id), conn=connection)
    try:
        envelope = collection.get_object(wanted)
    except Exception:  # 404 until the answer is written; a partner that fails now: no answer yet either
        return None
    found = [o for o in envelope.get("objects", []) if isinstance(o, dict) and o.get("id") == wanted]
    return found[-1] if found else None


def wait_for_answer(push: Push, package: StatisticsPackage, seconds: float) -> dict[str, Any] | None:
    give_up = time.monotonic() + seconds
    timeout = float(settings.CYBERPLAN_TAXII_CLIENT_TIMEOUT)
    while True:
        answer = read_answer(push, package, timeout)
        if answer is not None or time.monotonic() >= give_up:
            return answer
        time.sleep(0.5)


def do_send(
    actor: User | None, package: StatisticsPackage, push: Push, *, answer_seconds: float | None = None
) -> PackageSend:
    """Send an approved package through ``push`` and wait a while for the regional programme's answer."""
    check_send(package, push)
    sending = _start(actor, package, push)
    problem = _stage(package, push)
    if problem:
        return _finish(actor, sending, SendState.FAILED, problem)
    state, message = _pushed(do_push(actor, push))
    if state != SendState.SENT:
        return _finish(actor, sending, state, message)
    wait = float(answer_seconds if answer_seconds is not None else settings.CYBERPLAN_REGIONAL_ANSWER_SECONDS)
    answer = wait_for_answer(push, package, wait)
    if answer is None:
        return _finish(actor, sending, SendState.SENT, "")
    accepted = answer.get(ANSWER_OUTCOME) == "accepted"
    text = str(answer.get("content", ""))
    code = str(answer.get(ANSWER_CODE, ""))
    return _finish(actor, sending, SendState.ACCEPTED if accepted else SendState.REFUSED, text or code)
