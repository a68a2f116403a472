"""Publishing into a collection as a background job: asked for on the collection's page, run by the worker."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from cyberplan.core.access import Permission, has_permission
from cyberplan.core.models import User
from cyberplan.jobs.actions import do_start_job
from cyberplan.jobs.models import Job
from cyberplan.jobs.registry import Progress

from .access import access_collection_by_id
from .models import Collection, Push, Subscription

SHARING_PUBLISH = "sharing_publish"


def do_request_publish(actor: User, collection: Collection) -> Job:
    """Queue publishing into ``collection``; the caller has checked that ``actor`` may decide for its group.

    The worker checks the actor's access again when it runs.
    """
    return do_start_job(actor, collection.group.organisation, SHARING_PUBLISH, {"collection": str(collection.pk)})


def describe(parameters: dict[str, Any]) -> list[tuple[str, str]]:
    raw = str(parameters.get("collection") or "")
    title = Collection.objects.filter(pk=raw).values_list("title", flat=True).first() if len(raw) == 36 else None
    return [(_("Collection"), title or "—")]


def run_publish_job(job: Job, progress: Progress) -> dict[str, Any]:
    parameters = job.parameters if isinstance(job.parameters, dict) else {}
    if job.created_by is None:
        raise PermissionError(_("Publishing is done for the person who asked for it, and this job has none."))
    try:
        collection = access_collection_by_id(job.created_by, str(parameters.get("collection", "")), Permission.DECIDE)
    except (Http404, PermissionDenied):
        raise PermissionError(_("The person who asked may no longer publish into this collection.")) from None
    if collection.group.organisation_id != job.organisation_id:
        raise PermissionError(_("This collection belongs to another organisation than the job."))
    from .publishing import do_publish  # the URL conf imports this module: the event store loads only here

    summary = do_publish(job.created_by, collection)
    return {"collection": str(collection.pk), **summary.as_dict()}


# -- pulling a TAXII subscription ------------------------------------------------------------------------------

SHARING_PULL = "sharing_pull"


def do_request_pull(actor: User | None, subscription: Subscription) -> Job:
    """Queue a pull of ``subscription`` (from its page, or for every due subscription by ``sharing pull --due``)."""
    return do_start_job(actor, subscription.organisation, SHARING_PULL, {"subscription": subscription.pk})


def describe_pull(parameters: dict[str, Any]) -> list[tuple[str, str]]:
    raw = parameters.get("subscription")
    name = Subscription.objects.filter(pk=raw).values_list("name", flat=True).first() if isinstance(raw, int) else None
    return [(_("TAXII subscription"), name or "—")]


def run_pull_job(job: Job, progress: Progress) -> dict[str, Any]:
    parameters = job.parameters if isinstance(job.parameters, dict) else {}
    raw = parameters.get("subscription")
    subscription = (
        Subscription.objects.filter(pk=raw).select_related("organisation").first() if isinstance(raw, int) else None
    )
    if subscription is None or subscription.organisation_id != job.organisation_id:
        raise PermissionError(_("This subscription no longer exists in the job's organisation."))
    from .client import do_pull  # the URL conf imports this module: the importer loads only here

    outcome = do_pull(job.created_by, subscription)
    if outcome.error:
        raise RuntimeError(outcome.error)
    return {"subscription": subscription.pk, "received": outcome.received, "stored": outcome.stored}


# -- pushing a collection to a partner ---------------------------------------------------------------------------

SHARING_PUSH = "sharing_push"


def do_request_push(actor: User | None, push: Push) -> Job:
    """Queue a push (from its page, or for every due push by ``sharing push --due``)."""
    return do_start_job(actor, push.organisation, SHARING_PUSH, {"push": push.pk})


def describe_push(parameters: dict[str, Any]) -> list[tuple[str, str]]:
    raw = parameters.get("push")
    name = Push.objects.filter(pk=raw).values_list("name", flat=True).first() if isinstance(raw, int) else None
    return [(_("TAXII push"), name or "—")]


def run_push_job(job: Job, progress: Progress) -> dict[str, Any]:
    parameters = job.parameters if isinstance(job.parameters, dict) else {}
    raw = parameters.get("push")
    push = (
        Push.objects.filter(pk=raw).select_related("organisation", "collection__group", "recipient").first()
        if isinstance(raw, int)
        else None
    )
    if push is None or push.organisation_id != job.organisation_id:
        raise PermissionError(_("This push no longer exists in the job's organisation."))
    if job.created_by is not None and not has_permission(job.created_by, push.organisation_id, Permission.DECIDE):
        raise PermissionError(_("The person who asked may no longer push this organisation's collections."))
    from .push import do_push  # the URL conf imports this module: the client loads only here

    outcome = do_push(job.created_by, push)
    if outcome.error:
        raise RuntimeError(outcome.error)
    return {"push": push.pk, "sent": outcome.sent, "succeeded": outcome.succeeded, "withheld": outcome.withheld}
