"""The strategy document and the M&E report as background jobs: asked for on the reports page, rendered by the worker.

Who may have which document:

* members of the owner organisation who read the strategy (``access.access_strategy_by_id``):
  the strategy document of any version or of the working copy, and the M&E report; the
  document shows only the gaps, assessment and threat events they may read themselves;
* members of a consulted organisation: the strategy document of a *published* version only.

The job belongs to the owner organisation for members, to the consulted organisation for
consultees (so the requester sees it on the jobs page). The worker checks the requester's access
again when it runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from cyberplan.core.access import Permission, organisation_ids_where
from cyberplan.core.models import Organisation, User
from cyberplan.jobs.models import Job
from cyberplan.jobs.registry import Progress
from cyberplan.reports import jobs
from cyberplan.reports.jobs import format_and_language_errors, raise_errors
from cyberplan.reports.words import period_name

from ..access import access_strategy_by_id, versions_visible_to
from ..choices import VersionStatus
from ..models import Strategy, StrategyVersion
from .content import KINDS, MONITORING, STRATEGY, ReportError
from .service import Produced, check_report_currency, produce, read_period

STRATEGY_REPORT = "strategy_report"


@dataclass(frozen=True)
class Entitlement:
    """What a person may have of a strategy's documents."""

    strategy: Strategy
    owner: bool  # a member of the owner organisation who reads the strategy
    published: list[StrategyVersion]  # the published versions they read (all a consultee may have)
    versions: list[StrategyVersion]  # every version they may have a document of
    organisation: Organisation  # the organisation the job is recorded under


def entitlement(user: User, strategy_id: int) -> Entitlement:
    """What ``user`` may have of the strategy's documents; ``Http404`` if nothing."""
    try:
        strategy = access_strategy_by_id(user, strategy_id)
        owner = True
    except Http404:
        found = Strategy.objects.select_related("organisation").filter(pk=strategy_id).first()
        if found is None:
            raise
        strategy, owner = found, False
    visible = list(versions_visible_to(user, strategy).order_by("-number"))
    published = [v for v in visible if v.status == VersionStatus.PUBLISHED]
    if owner:
        return Entitlement(strategy, True, published, visible, strategy.organisation)
    allowed = set(organisation_ids_where(user, Permission.VIEW))
    organisation = strategy.consultees.filter(pk__in=allowed).order_by("name").first()
    if organisation is None or not published:
        raise Http404
    return Entitlement(strategy, False, published, published, organisation)


def check_parameters(kind: str, language: str, fmt: str, period: str, currency: str = "") -> None:
    """Raise ``ValidationError`` for parameters no document can be made with."""
    errors: dict[str, str] = {}
    try:
        check_report_currency(currency)
    except ReportError as error:
        errors["currency"] = str(error)
    if kind not in KINDS:
        errors["kind"] = _("Choose a document.")
    errors.update(format_and_language_errors(language, fmt))
    if kind == MONITORING:
        try:
            read_period(period)
        except ReportError as error:
            errors["period"] = str(error)
    raise_errors(errors)


def check_entitled(allowed: Entitlement, kind: str, version: int | None) -> int | None:
    """The version number the document will render (None: the default); ``ValidationError`` if not allowed."""
    if not allowed.owner:
        if kind != STRATEGY:
            raise ValidationError(
                {"kind": _("Members of a consulted organisation receive the published strategy only.")}
            )
        if version is None:
            return allowed.published[0].number
    if version is not None and version not in {v.number for v in allowed.versions}:
        raise ValidationError({"version": _("There is no version %(number)s you may read.") % {"number": version}})
    return version


def do_request_strategy_report(
    actor: User,
    strategy: Strategy,
    *,
    kind: str,
    language: str,
    fmt: str,
    version: int | None = None,
    period: str = "",
    currency: str = "",
) -> Job:
    """Queue a document of ``strategy`` for ``actor``; ``ValidationError`` says what is wrong with the request.

    ``currency``: the M&E report's budget amounts in another currency at the stated rates."""
    check_parameters(kind, language, fmt, period, currency)
    allowed = entitlement(actor, strategy.pk)
    number = check_entitled(allowed, kind, version if kind == STRATEGY else None)
    return jobs.start_report_job(
        actor,
        allowed.organisation,
        STRATEGY_REPORT,
        language=language,
        fmt=fmt,
        strategy=strategy.pk,
        kind=kind,
        version=number,
        period=read_period(period).label if kind == MONITORING else "",
        **({"currency": check_report_currency(currency)} if kind == MONITORING and currency else {}),
    )


def describe(parameters: dict[str, Any]) -> list[tuple[str, str]]:
    """The strategy by its title, the document (the strategy's version, or monitoring and its period),
    then the document's language and format."""
    strategy = Strategy.objects.filter(pk=int(parameters.get("strategy") or 0)).first()
    described = [(_("Strategy"), strategy.title if strategy else "—")]
    if parameters.get("kind") == MONITORING:
        described.append((_("Document"), _("Monitoring report")))
        if parameters.get("period"):
            described.append((_("Period"), period_name(read_period(str(parameters["period"])))))
        if parameters.get("currency"):
            described.append((_("Currency"), str(parameters["currency"])))
    else:
        described.append((_("Document"), _("The strategy")))
        if parameters.get("version"):
            described.append((_("Version"), str(parameters["version"])))
    return [*described, *jobs.describe_report(parameters)]


def run_strategy_report_job(job: Job, progress: Progress) -> dict[str, Any]:
    parameters, language, fmt = jobs.job_parameters(job)
    kind = str(parameters.get("kind", ""))
    period = str(parameters.get("period") or "")
    currency = str(parameters.get("currency") or "")
    version = parameters.get("version")
    jobs.check_parameters(lambda: check_parameters(kind, language, fmt, period, currency), progress, fmt)
    if version is not None and not isinstance(version, int):
        raise ValueError(_("The version must be a number."))
    user = jobs.requester(job, _("A document is made for the person who asked for it, and this job has none."))
    try:
        allowed = entitlement(user, int(parameters.get("strategy") or 0))
        version = check_entitled(allowed, kind, version)
    except (Http404, PermissionDenied, ValidationError, ValueError):
        raise PermissionError(_("The person who asked for this document may no longer read it.")) from None
    if allowed.organisation.pk != job.organisation_id:
        raise PermissionError(_("This strategy is not shared with the organisation of the job."))

    def make() -> Produced:
        try:
            return produce(
                allowed.strategy,
                kind,
                language,
                fmt,
                version=version,
                period=period or None,
                reader=user if allowed.owner else None,
                currency=currency,
            )
        except ReportError as error:
            raise ValueError(str(error)) from None

    produced = jobs.write_report(job, progress, language, make)
    return {
        "strategy": allowed.strategy.pk,
        "kind": kind,
        "version": version,
        "period": period,
        "language": language,
        "format": fmt,
        "bytes": len(produced.content),
    }
