"""Building a statistics package draft as a background job: asked for on the package page, run by the worker.

Building reads the trend tables (refreshing them first) and, the first time on an instance, counts the
country's addresses in the registry data: seconds, so the page queues it rather than making the person wait.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cyberplan.core.access import Permission, has_permission
from cyberplan.core.models import Organisation, User
from cyberplan.jobs.actions import do_start_job
from cyberplan.jobs.models import Job
from cyberplan.jobs.registry import Progress
from cyberplan.sharing.models import Push

from . import choices
from .access import may_send
from .models import StatisticsPackage

REGIONAL_BUILD = "regional_package"


def do_request_build(
    actor: User, organisation: Organisation, period: str, *, tlp: str, threshold: int, share_assessment: bool
) -> Job:
    """Queue a draft; the caller has checked that ``actor`` may build for ``organisation`` (checked again when
    the job runs)."""
    parameters = {"period": period, "tlp": tlp, "threshold": threshold, "share_assessment": share_assessment}
    return do_start_job(actor, organisation, REGIONAL_BUILD, parameters)


def describe(parameters: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (_("Period"), str(parameters.get("period") or "—")),
        (_("TLP"), str(parameters.get("tlp") or "—")),
        (_("Suppression threshold"), str(parameters.get("threshold") or "—")),
    ]


def run_build_job(job: Job, progress: Progress) -> dict[str, Any]:
    parameters = job.parameters if isinstance(job.parameters, dict) else {}
    if job.created_by is None or not has_permission(job.created_by, job.organisation_id, Permission.EDIT):
        raise PermissionError(_("The person who asked may no longer build packages for this organisation."))
    from .actions import do_build_draft  # the URL conf imports this module: the event store loads only here

    progress.step(1, 1, _("Building the statistics package"))
    try:
        package = do_build_draft(
            job.created_by,
            job.organisation,
            str(parameters.get("period", "")),
            tlp=str(parameters.get("tlp", "green")),
            threshold=int(parameters.get("threshold", 10)),
            share_assessment=bool(parameters.get("share_assessment")),
        )
    except ValidationError as exc:
        raise ValueError(" ".join(exc.messages)) from None
    return {"package": package.pk, "period": package.period, "version": package.version}


# -- sending an approved package by TAXII (member side) --------------------------------------------------------

REGIONAL_SEND = "regional_send"


def do_request_send(actor: User, package: StatisticsPackage, push: Push) -> Job:
    """Queue sending ``package`` through ``push``; the caller has checked that ``actor`` may send it (checked
    again when the job runs)."""
    return do_start_job(actor, package.organisation, REGIONAL_SEND, {"package": package.pk, "push": push.pk})


def describe_send(parameters: dict[str, Any]) -> list[tuple[str, str]]:
    package = StatisticsPackage.objects.filter(pk=parameters.get("package") or 0).first()
    push = Push.objects.filter(pk=parameters.get("push") or 0).first()
    return [(_("Package"), str(package) if package else "—"), (_("Sent through"), push.name if push else "—")]


def run_send_job(job: Job, progress: Progress) -> dict[str, Any]:
    parameters = job.parameters if isinstance(job.parameters, dict) else {}
    package = StatisticsPackage.objects.filter(pk=parameters.get("package") or 0, organisation=job.organisation).first()
    push = Push.objects.filter(pk=parameters.get("push") or 0, organisation=job.organisation).first()
    if package is None or push is None:
        raise ValueError(_("The package or the TAXII push no longer exists."))
    if job.created_by is None or not may_send(job.created_by, package):
        raise PermissionError(_("The person who asked may no longer send this organisation's packages."))
    from .sending import do_send  # the URL conf imports this module: the sharing client loads only here

    progress.step(1, 1, _("Sending the package to the regional programme"))
    sending = do_send(job.created_by, package, push)
    return {"package": package.pk, "state": sending.state, "message": sending.message}


# -- taking in a package that arrived by TAXII (regional side) ------------------------------------------------

REGIONAL_INTAKE = choices.REGIONAL_INTAKE


def _listed(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def describe_intake(parameters: dict[str, Any]) -> list[tuple[str, str]]:
    packages = _listed(parameters.get("packages"))
    return [(_("Packages"), ", ".join(str(p.get("id", "")) for p in packages if isinstance(p, dict)) or "—")]


def run_intake_job(job: Job, progress: Progress) -> dict[str, Any]:
    """Take in the packages one TAXII POST added (queued by the POST itself: the job has no person)."""
    from cyberplan.sharing.models import Collection, Status

    from .taxii_intake import do_take_in

    parameters = job.parameters if isinstance(job.parameters, dict) else {}
    collection = Collection.objects.filter(pk=str(parameters.get("collection", ""))).select_related("group").first()
    status = Status.objects.filter(pk=str(parameters.get("status", ""))).first()
    if collection is None or status is None or collection.group.organisation_id != job.organisation_id:
        raise ValueError(_("The collection or the TAXII status of this intake no longer exists."))
    packages = _listed(parameters.get("packages"))
    progress.step(1, 1, _("Checking the packages that arrived"))
    answers = do_take_in(collection, status, [p for p in packages if isinstance(p, dict)])
    return {"collection": str(collection.pk), "answers": answers}


# -- the demo's regional members (``cyberplan demo`` queues it when it serves) ---------------------------------

REGIONAL_DEMO = "regional_demo"


def run_demo_job(job: Job, progress: Progress) -> dict[str, Any]:
    from .demo import MEMBER_EVENTS, build_demo_members

    parameters = job.parameters if isinstance(job.parameters, dict) else {}
    events = MEMBER_EVENTS if parameters.get("events", True) else 0
    received = build_demo_members(job.organisation, lambda message: None, events=events, step=progress.step)
    return {"received": received}


# -- the pooled-events figures of the regional dashboard (regional side) -----------------------------------------

REGIONAL_POOLED = "regional_pooled_figures"


def may_compute_pooled(user: User, programme: Organisation) -> bool:
    """Analysts and above of the programme (``edit``) ask for the pooled figures to be computed."""
    return has_permission(user, programme.pk, Permission.EDIT)


def do_request_pooled_figures(actor: User, programme: Organisation, period: str) -> Job:
    """Queue computing the pooled-events figures of ``period``; checked again when the job runs."""
    from cyberplan.analytics.periods import PeriodError, parse_period

    try:
        label = parse_period(period).label
    except PeriodError as exc:
        raise ValidationError({"period": str(exc)}) from None
    if not may_compute_pooled(actor, programme):
        raise ValidationError({"programme": _("You may not compute this regional programme's figures.")})
    return do_start_job(actor, programme, REGIONAL_POOLED, {"period": label})


def describe_pooled(parameters: dict[str, Any]) -> list[tuple[str, str]]:
    return [(_("Period"), str(parameters.get("period") or "—"))]


def run_pooled_job(job: Job, progress: Progress) -> dict[str, Any]:
    from cyberplan.analytics.periods import PeriodError, parse_period

    from . import pooled_figures  # the URL conf imports this module: the engines load only here

    parameters = job.parameters if isinstance(job.parameters, dict) else {}
    if job.created_by is None or not may_compute_pooled(job.created_by, job.organisation):
        raise PermissionError(_("The person who asked may no longer compute this programme's figures."))
    try:
        period = parse_period(str(parameters.get("period", "")))
    except PeriodError as exc:
        raise ValueError(str(exc)) from None
    progress.step(1, 1, _("Computing the regional metric set on the pooled events"))
    try:
        figures = pooled_figures.compute(job.organisation, period)
    except ValidationError as exc:
        raise ValueError(" ".join(exc.messages)) from None
    return {
        "period": figures.period,
        "members": figures.members,
        "engine": figures.engine,
        "pool_version": figures.version,
        "events": figures.events_in_period(),
    }
