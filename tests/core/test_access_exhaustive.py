"""Every page and API endpoint that reads data, as every role of two organisations, against records of
both organisations at every TLP label: nothing leaks.

The endpoints come from the URL configuration, not from a hand-made list. Each URL name must be
classified in ``ROUTES`` below (or its namespace in ``NAMESPACES``); a URL name that is not makes
``test_every_url_is_classified`` fail and say where to add it. How to classify a new endpoint is
explained in docs/concepts/access.md ("Checking every endpoint").

The world is built once for the module: organisations A and B, a user of every role in each (plus
a user with no membership), and in each organisation gaps, assessments, strategies and imports at
each TLP label, created by the organisation's contributor, with their evidence, parts, quarantine
and jobs. Every record carries a unique marker (``mk0001z``) in a field its pages show. Then, for
each classified endpoint, each user asks for it:

* for an endpoint about one record (``Reads``), once per record of that kind: if the user may not
  see the record, the answer must be 404;
* every answer, of every endpoint, must hold no marker of a record the user may not see.

Who may see what is written here from the documented rules (docs/concepts/access.md), not taken
from the access functions under test.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from cyberplan.assessment import actions as assessment_actions
from cyberplan.assessment.loading import load_framework_file
from cyberplan.core.choices import TLP, OrganisationType, Role
from cyberplan.core.models import AuditEntry, Membership, Organisation, Sector, User
from cyberplan.gaps.actions import do_add_gap_evidence, do_create_gap
from cyberplan.jobs.actions import do_start_job
from cyberplan.legal import actions as legal_actions
from cyberplan.legal.models import Instrument
from cyberplan.strategy import actions as strategy_actions
from cyberplan.strategy import budget_actions
from cyberplan.strategy.choices import ElementKind, FundingSource
from cyberplan.strategy.oversight import actions as oversight
from cyberplan.strategy.versions import actions as strategy_version_actions
from cyberplan.threats.actions import do_grant_store_access, do_save_constituency_entry, do_save_mapping
from cyberplan.threats.signals import import_stored
from cyberplan.training import actions as training_actions
from cyberplan.training.choices import Audience, ProviderKind
from cyberplan.trends.signals import on_import_stored
from cyberplan.trends.store import refresh_trend_tables
from cyberplan.workspace.exports import AUDIT_EXPORT
from tests.assessment.support import document as framework_document
from tests.assessment.support import write as write_framework
from tests.threats.support import make_import

# Slow tests: make test-fast leaves them out (see docs/development/testing.md).
pytestmark = pytest.mark.slow

# -- the rules, as documented --------------------------------------------------------------------

# TLP labels each role reads in its own organisation (docs/concepts/access.md).
READS_TLP: dict[str, set[str]] = {
    Role.ADMINISTRATOR: set(TLP.values),
    Role.COORDINATOR: set(TLP.values),
    Role.ANALYST: set(TLP.values) - {TLP.RED},
    Role.CONTRIBUTOR: set(TLP.values) - {TLP.RED},
    Role.VIEWER: set(TLP.values) - {TLP.RED},
    Role.EXTERNAL_PARTNER: {TLP.CLEAR, TLP.GREEN},
}
AUDITORS = {Role.ADMINISTRATOR, Role.COORDINATOR}
# Store grants (FIRST TLP 2.0 at the boundary): CLEAR and GREEN cross, AMBER to a named recipient, up to
# the grant's ceiling; AMBER+STRICT and RED never cross. Then the reader's role in the recipient narrows it.
UP_TO_CEILING: dict[str, set[str]] = {
    TLP.CLEAR: {TLP.CLEAR},
    TLP.GREEN: {TLP.CLEAR, TLP.GREEN},
    TLP.AMBER: {TLP.CLEAR, TLP.GREEN, TLP.AMBER},
}


@dataclass(frozen=True)
class Reader:
    name: str
    user: User
    organisation_id: int | None
    role: str | None


@dataclass
class Record:
    """One record of the world, with the rule that decides who sees it."""

    kind: str
    obj: Any
    organisation_id: int
    rule: str  # "tlp", "evidence", "organisation", "audit" or "job"
    tlp: str = ""
    creator_id: int | None = None
    marker: str = ""
    granted: dict[int, str] = field(default_factory=dict)  # recipient organisation -> ceiling, for events
    recipient_id: int | None = None  # a store grant: the organisation it is given to


def released(reader: Reader, record: Record) -> bool:
    """Whether the events of ``record`` (its store, or an import's events) reach the reader through a grant."""
    ceiling = record.granted.get(reader.organisation_id or 0)
    if ceiling is None or reader.role is None:
        return False
    if record.rule == "organisation":  # the store itself
        return True
    return record.rule == "evidence" and record.tlp in UP_TO_CEILING[ceiling] & READS_TLP[reader.role]


def sees(reader: Reader, record: Record, events: bool = False) -> bool:
    """``events``: the endpoint reads events of stores (where grants apply), not imports or quarantine."""
    if events and released(reader, record):
        return True
    if record.rule == "grant" and reader.role is not None and reader.organisation_id == record.recipient_id:
        return True
    if reader.organisation_id != record.organisation_id or reader.role is None:
        return False
    role = reader.role
    if record.rule in ("organisation", "grant"):
        return True
    if record.rule == "audit":
        return role in AUDITORS
    if record.rule == "names":  # participants' names and contact details: the training coordinator only
        return role in AUDITORS
    if record.rule == "job":  # the jobs one started, and all jobs for those who read the audit log
        return role in AUDITORS or record.creator_id == reader.user.pk
    if record.tlp in READS_TLP[role]:
        return True
    # Gaps, assessments and strategies: TLP:RED also for their creator (not an external partner).
    # Threat evidence ("evidence": imports, quarantine, events) has no such exception.
    return (
        record.rule == "tlp"
        and record.tlp == TLP.RED
        and record.creator_id == reader.user.pk
        and role != Role.EXTERNAL_PARTNER
    )


# -- how each URL is requested -------------------------------------------------------------------


@dataclass(frozen=True)
class Reads:
    """A GET endpoint about one record of ``kind``: asked once per such record.

    ``args`` turns the record into the URL's keyword arguments, ``query`` into query parameters.
    A reader who may not see the record must get a 404.
    """

    kind: str
    args: Callable[[Any], dict[str, Any]] = lambda obj: {"pk": obj.pk}
    query: Callable[[Any], dict[str, Any]] | None = None
    not_found: bool = True  # False: only the markers are checked (the page shows its own choice instead)
    events: bool = False  # reads the events of a store: store grants apply (see ``sees``)


@dataclass(frozen=True)
class Lists:
    """A GET endpoint that lists or sums up records, or shows a form: its answer may hold no hidden marker."""

    args: Callable[[World], dict[str, Any]] = lambda world: {}
    query: dict[str, Any] = field(default_factory=dict)
    once: bool = False  # the same for every reader: asked by one reader only
    events: bool = False  # reads the events of a store: store grants apply (see ``sees``)


@dataclass(frozen=True)
class Skip:
    """Not requested, with the reason: it answers only to POST/PUT/PATCH/DELETE, or it is outside the rules."""

    reason: str


WRITE_ONLY = Skip("write-only: answers only to POST, PUT, PATCH or DELETE")
PUBLIC = Lists(once=True)  # open without signing in, the same for everyone: asked once, checked for markers
OWN_ACCOUNT = Lists()  # about the signed-in user only: still checked for markers


def gap_of_action(action: Any) -> dict[str, Any]:
    return {"pk": action.strategy_id, "action_pk": action.pk}


def budget_line_args(line: Any) -> dict[str, Any]:
    return {"pk": line.action.strategy_id, "action_pk": line.action_id, "line_pk": line.pk}


def kpi_args(kpi: Any) -> dict[str, Any]:
    return {"pk": kpi.action.strategy_id, "action_pk": kpi.action_id, "kpi_pk": kpi.pk}


def element_kpi_args(kpi: Any) -> dict[str, Any]:
    return {"pk": kpi.element.strategy_id, "element_pk": kpi.element_id, "kpi_pk": kpi.pk}


def factor_args(factor: Any) -> dict[str, Any]:
    return {"pk": factor.assessment_id, "factor_id": factor.factor_id}


def answer_args(answer: Any) -> dict[str, Any]:
    return {"pk": answer.assessment_id, "factor_id": answer.factor_id, "answer_pk": answer.pk}


def version_args(version: Any) -> dict[str, Any]:
    return {"pk": version.strategy_id, "number": version.number}


# Every URL name of the project, by how the test requests it. Add a new endpoint here:
#   Reads("<kind>", args=...)  it shows one record (kinds: see World.records), 404 when hidden;
#   Lists(...)                 it lists records or shows a form; checked for hidden markers;
#   PUBLIC / OWN_ACCOUNT       the same for everyone, or about the signed-in user; checked for markers;
#   WRITE_ONLY                 it answers only to writes (the matrix tests in this folder cover those).
ROUTES: dict[str, Reads | Lists | Skip] = {
    # core
    "core:home": Lists(),
    "core:section": Lists(args=lambda world: {"slug": "legal"}),
    "core:account": OWN_ACCOUNT,
    "core:api_token_create": WRITE_ONLY,
    "core:api_token_revoke": WRITE_ONLY,
    "core:set_language": WRITE_ONLY,
    "core:organisation_list": Lists(),
    "core:organisation_detail": Reads("organisation"),
    "core:membership_update": WRITE_ONLY,
    "core:audit_list": Lists(),
    "core:audit_export": WRITE_ONLY,
    "core:audit_detail": Reads("audit"),
    "login": PUBLIC,
    "logout": WRITE_ONLY,
    "password_change": OWN_ACCOUNT,
    "password_change_done": OWN_ACCOUNT,
    "healthz": PUBLIC,
    # sign-in, two-factor and single sign-on pages (django-allauth): about the signed-in user only
    "account_login": PUBLIC,
    "account_logout": OWN_ACCOUNT,
    "account_signup": PUBLIC,
    "account_inactive": PUBLIC,
    "account_reset_password": PUBLIC,
    "account_reauthenticate": OWN_ACCOUNT,
    "account_email": OWN_ACCOUNT,
    "account_change_password": OWN_ACCOUNT,
    "mfa_index": OWN_ACCOUNT,
    "mfa_authenticate": PUBLIC,
    "mfa_reauthenticate": OWN_ACCOUNT,
    "mfa_activate_totp": OWN_ACCOUNT,
    "mfa_deactivate_totp": OWN_ACCOUNT,
    "mfa_view_recovery_codes": OWN_ACCOUNT,
    "mfa_download_recovery_codes": OWN_ACCOUNT,
    "mfa_generate_recovery_codes": OWN_ACCOUNT,
    "mfa_add_webauthn": OWN_ACCOUNT,
    "mfa_list_webauthn": OWN_ACCOUNT,
    "mfa_reauthenticate_webauthn": OWN_ACCOUNT,
    "mfa_edit_webauthn": Skip("one of the user's own security keys; allauth finds it among request.user's only"),
    "mfa_remove_webauthn": Skip("one of the user's own security keys; allauth finds it among request.user's only"),
    "socialaccount_connections": OWN_ACCOUNT,
    "socialaccount_login_cancelled": PUBLIC,
    "socialaccount_login_error": PUBLIC,
    "socialaccount_signup": PUBLIC,
    "openid_connect_login": Skip("a redirect to the institution's identity provider (tests/core/test_signin_sso.py)"),
    "openid_connect_callback": Skip("the identity provider's answer (tests/core/test_signin_sso.py)"),
    # gaps
    "gaps:gap_list": Lists(),
    "gaps:gap_create": Lists(),
    "gaps:gap_detail": Reads("gap"),
    "gaps:gap_edit": Reads("gap"),
    "gaps:gap_status": WRITE_ONLY,
    "gaps:gap_delete": Reads("gap"),
    "gaps:evidence_download": Reads("gap_evidence", args=lambda e: {"pk": e.gap_id, "evidence_pk": e.pk}),
    # assessment
    "assessment:assessment_list": Lists(),
    "assessment:assessment_create": Lists(),
    "assessment:assessment_import": Lists(),
    "assessment:assessment_detail": Reads("assessment"),
    "assessment:assessment_edit": Reads("assessment"),
    "assessment:assessment_lock": WRITE_ONLY,
    "assessment:assessment_unlock": WRITE_ONLY,
    "assessment:assessment_sync_gaps": WRITE_ONLY,
    "assessment:assessment_export": Reads("assessment"),
    "assessment:assessment_report": WRITE_ONLY,
    "assessment:assessment_compare": Reads("assessment"),
    "assessment:assessment_benchmark": Reads("assessment"),
    "assessment:assessment_crosswalk": Reads("assessment"),
    "assessment:evidence_download": Reads(
        "assessment_evidence", args=lambda e: {"pk": e.answer.assessment_id, "evidence_pk": e.pk}
    ),
    "assessment:factor_detail": Reads("factor", args=factor_args),
    "assessment:answer": WRITE_ONLY,
    "assessment:add_evidence": WRITE_ONLY,
    "assessment:add_comment": WRITE_ONLY,
    "assessment:assign_factor": WRITE_ONLY,
    "assessment:set_target": WRITE_ONLY,
    "assessment:approve_factor": WRITE_ONLY,
    # legal alignment
    "legal:review_list": Lists(),
    "legal:catalogue": Lists(once=True),
    "legal:treaty_status": Lists(once=True),
    "legal:instrument_list": Lists(),
    "legal:instrument_import": Lists(),
    "legal:instrument_detail": Reads("legal_instrument"),
    "legal:review_create": Lists(),
    "legal:review_detail": Reads("legal_review"),
    "legal:review_edit": WRITE_ONLY,
    "legal:review_state": WRITE_ONLY,
    "legal:review_gaps": WRITE_ONLY,
    "legal:review_evidence": WRITE_ONLY,
    "legal:review_compare": Reads("legal_review"),
    "legal:review_report": Reads("legal_review"),
    "legal:finding_edit": Reads("legal_review", args=lambda r: {"pk": r.pk, "provision": "ets-185:2"}),
    # sharing network: this world holds no sharing groups; tests/sharing/test_pages.py asks every page of one
    # group as every role of the owner, of a member organisation and of an outsider
    "sharing:group_list": Lists(),
    "sharing:group_create": Lists(),
    "sharing:group_detail": Skip("sharing records are not in this world: tests/sharing/test_pages.py"),
    "sharing:group_edit": Skip("sharing records are not in this world: tests/sharing/test_pages.py"),
    "sharing:member_set": WRITE_ONLY,
    "sharing:member_remove": WRITE_ONLY,
    "sharing:collection_create": Skip("sharing records are not in this world: tests/sharing/test_pages.py"),
    "sharing:collection_detail": Skip("sharing records are not in this world: tests/sharing/test_pages.py"),
    "sharing:collection_publish": WRITE_ONLY,
    "sharing:collection_misp_export": Skip("sharing records are not in this world: tests/sharing/test_misp_export.py"),
    "sharing:credential_list": Lists(),
    "sharing:credential_issue": Lists(),
    "sharing:credential_secret": Skip("credentials are not in this world: tests/sharing/test_pages.py"),
    "sharing:credential_rotate": WRITE_ONLY,
    "sharing:credential_revoke": WRITE_ONLY,
    # regional programme: this world holds no statistics packages (building one reads the event store);
    # tests/regional/test_member_side.py asks their pages as every kind of reader, at two labels
    "regional:package_list": Lists(),
    "regional:package_detail": Skip("packages are not in this world: tests/regional/test_member_side.py"),
    "regional:package_download": Skip("packages are not in this world: tests/regional/test_member_side.py"),
    "regional:package_approve": WRITE_ONLY,
    "regional:package_send": WRITE_ONLY,
    # regional programme, receiving side: this world has no regional organisation, so every reader gets 403;
    # tests/regional/test_programme.py asks these pages as every role of a programme and of a member state
    "regional:programme_overview": Lists(),
    "regional:member_list": Lists(),
    "regional:received_list": Lists(),
    "regional:report": Lists(),
    "regional:member_history": Skip("members are not in this world: tests/regional/test_programme.py"),
    "regional:member_edit": Skip("members are not in this world: tests/regional/test_programme.py"),
    "regional:refusal_confirm_identity": WRITE_ONLY,
    "regional:pooled_compute": WRITE_ONLY,
    # capacity building
    "training:programme_list": Lists(),
    "training:provider_list": Lists(),
    "training:programme_create": Lists(),
    "training:programme_detail": Reads("training_programme"),
    "training:programme_edit": Reads("training_programme"),
    "training:programme_delete": Reads("training_programme"),
    "training:course_create": Reads("training_programme"),
    "training:programme_import": WRITE_ONLY,
    "training:course_detail": Reads("training_course"),
    "training:course_edit": Reads("training_course"),
    "training:course_delete": Reads("training_course"),
    "training:session_create": Reads("training_course"),
    "training:session_detail": Reads("training_session"),
    "training:session_edit": Reads("training_session"),
    "training:session_delete": Reads("training_session"),
    "training:participant_list": Lists(),
    "training:participant_create": Lists(),
    "training:participant_export": Lists(),
    "training:participant_export_named": Lists(),
    "training:participant_detail": Reads("training_participant"),
    "training:participant_edit": Reads("training_participant"),
    "training:participant_delete": Reads("training_participant"),
    "training:participant_erase_names": WRITE_ONLY,
    "training:import_template": Lists(once=True),
    "training:import_detail": Reads("training_import"),
    "training:import_rejects": Reads("training_import"),
    "training:denominator_list": Lists(),
    "training:denominator_delete": WRITE_ONLY,
    "training:coverage": Lists(),
    "training:retention": Lists(),
    "training:report": Lists(),
    "training:spine": Lists(),
    "training:attach_evidence": WRITE_ONLY,
    "training:raise_gaps": WRITE_ONLY,
    "sharing:subscription_list": Lists(),
    "sharing:subscription_create": Lists(),
    "sharing:subscription_detail": Skip(
        "subscriptions are not in this world: tests/sharing/test_subscription_pages.py"
    ),
    "sharing:subscription_edit": Skip("subscriptions are not in this world: tests/sharing/test_subscription_pages.py"),
    "sharing:subscription_delete": WRITE_ONLY,
    "sharing:subscription_pull": WRITE_ONLY,
    "sharing:push_list": Lists(),
    "sharing:push_create": Lists(),
    "sharing:push_detail": Skip("pushes are not in this world: tests/sharing/test_push_pages.py"),
    "sharing:push_edit": Skip("pushes are not in this world: tests/sharing/test_push_pages.py"),
    "sharing:push_delete": WRITE_ONLY,
    "sharing:push_now": WRITE_ONLY,
    # strategy
    "strategy:strategy_list": Lists(),
    "strategy:strategy_create": Lists(),
    "strategy:workspace": Reads("strategy"),
    "strategy:strategy_detail": Reads("strategy"),
    "strategy:strategy_edit": Reads("strategy"),
    "strategy:set_phase": WRITE_ONLY,
    "strategy:task_create": Reads("strategy"),
    "strategy:task_edit": Reads("task", args=lambda t: {"pk": t.strategy_id, "task_pk": t.pk}),
    "strategy:task_done": WRITE_ONLY,
    "strategy:plan": Reads("strategy"),
    "strategy:principle_create": Reads("strategy"),
    "strategy:principle_edit": Reads("principle", args=lambda p: {"pk": p.strategy_id, "principle_pk": p.pk}),
    "strategy:principle_delete": Reads("principle", args=lambda p: {"pk": p.strategy_id, "principle_pk": p.pk}),
    "strategy:element_create": Reads("strategy"),
    "strategy:element_edit": Reads("element", args=lambda e: {"pk": e.strategy_id, "element_pk": e.pk}),
    "strategy:element_delete": Reads("element", args=lambda e: {"pk": e.strategy_id, "element_pk": e.pk}),
    "strategy:element_kpi_create": Reads("element", args=lambda e: {"pk": e.strategy_id, "element_pk": e.pk}),
    "strategy:element_kpi_edit": Reads("element_kpi", args=element_kpi_args),
    "strategy:element_kpi_delete": Reads("element_kpi", args=element_kpi_args),
    "strategy:action_create": Reads("strategy"),
    "strategy:action_detail": Reads("action", args=gap_of_action),
    "strategy:action_edit": Reads("action", args=gap_of_action),
    "strategy:action_delete": Reads("action", args=gap_of_action),
    "strategy:gap_link": WRITE_ONLY,
    "strategy:gap_unlink": WRITE_ONLY,
    "strategy:kpi_create": Reads("action", args=gap_of_action),
    "strategy:kpi_edit": Reads("kpi", args=kpi_args),
    "strategy:kpi_delete": Reads("kpi", args=kpi_args),
    "strategy:traceability": Reads("strategy"),
    "strategy:gap_actions": Reads("gap", args=lambda g: {"gap_pk": g.pk}),
    "strategy:strategy_starter": Reads("strategy"),
    "strategy:monitoring_home": Lists(),
    "strategy:structure_import": Reads("strategy"),
    "strategy:version_list": Reads("strategy"),
    "strategy:version_create": Reads("strategy"),
    "strategy:version_compare": Reads("strategy"),
    "strategy:version_detail": Reads("version", args=version_args),
    "strategy:version_refresh": WRITE_ONLY,
    "strategy:version_move": WRITE_ONLY,
    "strategy:version_comments": Reads("version", args=version_args),
    "strategy:comment_resolve": WRITE_ONLY,
    "strategy:monitoring": Reads("strategy"),
    "strategy:evaluation": Reads("strategy"),
    "strategy:evaluation_create": WRITE_ONLY,
    "strategy:recommendation_create": WRITE_ONLY,
    "strategy:recommendation_response": WRITE_ONLY,
    "strategy:recommendation_to_gap": WRITE_ONLY,
    "strategy:recommendation_to_action": WRITE_ONLY,
    "strategy:risk_create": WRITE_ONLY,
    "strategy:risk_status": WRITE_ONLY,
    "strategy:axis_owner": WRITE_ONLY,
    "strategy:budget": Reads("strategy"),
    "strategy:plan_currency": WRITE_ONLY,
    "strategy:rate_create": WRITE_ONLY,
    "strategy:rate_delete": Reads("rate", args=lambda r: {"pk": r.strategy_id, "rate_pk": r.pk}),
    "strategy:budget_line_create": Reads("action", args=gap_of_action),
    "strategy:budget_line_edit": Reads("budget_line", args=budget_line_args),
    "strategy:budget_line_delete": Reads("budget_line", args=budget_line_args),
    "strategy:monitoring_action": Reads("action", args=gap_of_action),
    "strategy:progress_evidence": Reads(
        "update",
        args=lambda u: {"pk": u.action.strategy_id, "action_pk": u.action_id, "update_pk": u.pk},
    ),
    "strategy:my_actions": Lists(),
    "strategy:my_action": Reads("action", args=lambda a: {"action_pk": a.pk}),
    "strategy:monitoring_kpi": Reads("kpi", args=lambda k: {"pk": k.action.strategy_id, "kpi_pk": k.pk}),
    "strategy:kpi_compute": WRITE_ONLY,
    "strategy:report_list": Reads("strategy"),
    # jobs
    "jobs:job_list": Lists(),
    "jobs:job_detail": Reads("job"),
    "jobs:job_download": Reads("job"),
    "jobs:job_cancel": WRITE_ONLY,
    # threat evidence
    "threats:import_list": Lists(),
    "threats:import_detail": Reads("import"),
    "threats:quarantine_download": Reads("import"),
    # The event browser offers the reader's organisations only: another one is refused (400) by the form.
    "threats:event_list": Reads(
        "organisation", args=lambda o: {}, query=lambda o: {"organisation": o.pk}, not_found=False, events=True
    ),
    "threats:constituency": Lists(),
    "threats:constituency_delete": WRITE_ONLY,
    "threats:mapping_list": Lists(),
    "threats:mapping_create": Lists(),
    "threats:store_access": Lists(),
    "threats:store_grant_revoke": Reads("store_grant"),
    # trends
    "trends:dashboard": Reads(
        "organisation", args=lambda o: {}, query=lambda o: {"organisation": o.pk}, not_found=False, events=True
    ),
    "trends:gap_from_change": WRITE_ONLY,
    "trends_report:request": Lists(),
    # API
    "api:api-root": PUBLIC,
    "api_schema": PUBLIC,
    "api:country-list": PUBLIC,
    "api:event-list": Reads("organisation", args=lambda o: {}, query=lambda o: {"organisation": o.pk}, events=True),
    "api:sharing-collection-misp-export": Skip(
        "sharing records are not in this world: tests/sharing/test_misp_export.py"
    ),
    "api:regional-package-receive": WRITE_ONLY,
    "api:trend-metrics": Reads("organisation", args=lambda o: {}, query=lambda o: {"organisation": o.pk}, events=True),
    "api:organisation-list": Lists(),
    "api:organisation-detail": Reads("organisation"),
    "api:membership-list": Lists(),
    "api:membership-detail": Reads("membership"),
    "api:sector-list": PUBLIC,
    "api:sector-detail": Lists(args=lambda world: {"pk": Sector.objects.order_by("pk").first().pk}),  # type: ignore[union-attr]
    "api:auditentry-list": Lists(),
    "api:auditentry-detail": Reads("audit"),
    "api:gap-list": Lists(),
    "api:gap-detail": Reads("gap"),
    "api:gap-evidence": Reads("gap"),
    "api:gap-history": Reads("gap"),
    "api:gap-set-status": WRITE_ONLY,
    "api:api-token-list": OWN_ACCOUNT,
    "api:api-token-detail": Skip("a user's own API token; tests/core/test_api_tokens.py checks another's is a 404"),
    "api:api-token-revoke": WRITE_ONLY,
    "api:job-list": Lists(),
    "api:job-cancel": WRITE_ONLY,
    "api:job-detail": Reads("job"),
    "api:job-download": Reads("job"),
    "api:import-list": Lists(),
    "api:store-grant-list": Lists(),
    "api:store-grant-detail": Reads("store_grant"),
    "api:import-detail": Reads("import"),
    "api:legal-instrument-list": Lists(),
    "api:legal-instrument-detail": Reads("legal_instrument"),
    "api:legal-instrument-import-csv": WRITE_ONLY,
    "api:legal-review-list": Lists(),
    "api:legal-review-detail": Reads("legal_review"),
    "api:legal-review-findings": Reads("legal_review"),
    "api:legal-review-update-finding": WRITE_ONLY,
    "api:legal-review-coverage": Reads("legal_review"),
    "api:legal-review-compare": Reads("legal_review", query=lambda r: {"with": r.pk}),
    "api:legal-review-set-state": WRITE_ONLY,
    "api:legal-review-push-gaps": WRITE_ONLY,
    "api:training-provider-list": Lists(),
    "api:training-provider-detail": Reads("training_provider"),
    "api:training-programme-list": Lists(),
    "api:training-programme-detail": Reads("training_programme"),
    "api:training-programme-import-list": WRITE_ONLY,
    "api:training-course-list": Lists(),
    "api:training-course-detail": Reads("training_course"),
    "api:training-session-list": Lists(),
    "api:training-session-detail": Reads("training_session"),
    "api:training-participant-list": Lists(),
    "api:training-participant-detail": Reads("training_participant"),
    "api:training-attendance-list": Lists(),
    "api:training-attendance-detail": Reads("training_attendance"),
    "api:training-audience-size-list": Lists(),
    "api:training-audience-size-detail": Reads("training_denominator"),
    "api:training-import-list": Lists(),
    "api:training-import-detail": Reads("training_import"),
    "api:training-coverage": Lists(),
    "api:assessment-list": Lists(),
    "api:assessment-import-file": WRITE_ONLY,
    "api:assessment-detail": Reads("assessment"),
    "api:assessment-approve-factor": WRITE_ONLY,
    "api:assessment-export": Reads("assessment"),
    "api:assessment-factor-comments": Reads("factor", args=factor_args),
    "api:assessment-lock": WRITE_ONLY,
    "api:assessment-scores": Reads("assessment"),
    "api:assessment-sync-gaps": WRITE_ONLY,
    "api:assessment-unlock": WRITE_ONLY,
    "api:assessment-update-factor": WRITE_ONLY,
    "api:assessment-answer-list": Lists(),
    "api:assessment-answer-detail": Reads("answer"),
    "api:assessment-answer-evidence": Reads("answer"),
    "api:strategy-list": Lists(),
    "api:strategy-detail": Reads("strategy"),
    "api:strategy-traceability": Reads("strategy"),
    "api:strategy-element-list": Lists(),
    "api:strategy-element-detail": Reads("element"),
    "api:strategy-action-list": Lists(),
    "api:strategy-action-detail": Reads("action"),
    "api:strategy-action-progress": Reads("action"),
    "api:strategy-kpi-list": Lists(),
    "api:strategy-kpi-detail": Reads("kpi"),
    "api:strategy-kpi-compute": WRITE_ONLY,
    "api:strategy-kpi-measurements": Reads("kpi"),
    "api:strategy-version-list": Lists(),
    "api:strategy-evaluation-list": Lists(),
    "api:strategy-evaluation-detail": Reads("evaluation"),
    "api:strategy-recommendation-list": Lists(),
    "api:strategy-recommendation-detail": Reads("recommendation"),
    "api:strategy-recommendation-to-gap": WRITE_ONLY,
    "api:strategy-recommendation-to-action": WRITE_ONLY,
    "api:strategy-risk-list": Lists(),
    "api:strategy-risk-detail": Reads("risk"),
    "api:strategy-axis-owner-list": Lists(),
    "api:strategy-axis-owner-detail": Reads("axis_owner"),
    "api:strategy-budget-line-list": Lists(),
    "api:strategy-budget-line-detail": Reads("budget_line"),
    "api:strategy-exchange-rate-list": Lists(),
    "api:strategy-exchange-rate-detail": Reads("rate"),
    "api:strategy-version-detail": Reads("version"),
    "api:strategy-version-refresh": WRITE_ONLY,
    "api:strategy-version-transition": WRITE_ONLY,
}

# Whole namespaces outside the roles and TLP rules.
NAMESPACES: dict[str, Skip] = {
    "admin": Skip("the Django admin uses Django's model permissions for staff users, not the roles"),
    "taxii": Skip("TAXII answers partner credentials, not signed-in users: tests/sharing/test_taxii.py"),
    "misp_feed": Skip("MISP feeds answer partner credentials, not signed-in users: tests/sharing/test_misp_feed.py"),
}


def url_names() -> list[str]:
    """Every URL name of the project, with its namespaces, from the URL configuration."""
    names: list[str] = []

    def walk(resolver: URLResolver, namespace: str) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern, inner)
            elif isinstance(pattern, URLPattern):
                names.append(
                    f"{namespace}{pattern.name}" if pattern.name else f"{namespace}<unnamed {pattern.pattern}>"
                )

    walk(get_resolver(), "")
    return sorted(set(names))


def classification(name: str) -> Reads | Lists | Skip | None:
    namespace = name.split(":", 1)[0] if ":" in name else ""
    return ROUTES.get(name) or NAMESPACES.get(namespace)


# -- the world -----------------------------------------------------------------------------------


@dataclass
class World:
    organisations: list[Organisation]
    readers: list[Reader]
    records: dict[str, list[Record]]  # kind -> records
    by_marker: dict[str, Record]
    clients: dict[str, tuple[Client, APIClient]] = field(default_factory=dict)


MARKER = re.compile(r"mk\d{4}z")


class Builder:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0
        self.records: dict[str, list[Record]] = {}

    def marker(self) -> str:
        self.count += 1
        return f"mk{self.count:04d}z"

    def add(self, kind: str, obj: Any, parent: Record | None = None, **values: Any) -> Record:
        if parent is not None:
            values = {
                "organisation_id": parent.organisation_id,
                "rule": parent.rule,
                "tlp": parent.tlp,
                "creator_id": parent.creator_id,
                **values,
            }
        record = Record(kind, obj, **values)
        self.records.setdefault(kind, []).append(record)
        return record


def build_world(folder: Path) -> World:
    # The trend tables are refreshed once per organisation at the end instead of after each import
    # (what the dashboard would do itself on its first visit); it saves most of the build's time.
    import_stored.disconnect(dispatch_uid="trends.on_import_stored")
    try:
        world = populate(folder)
    finally:
        import_stored.connect(on_import_stored, dispatch_uid="trends.on_import_stored")
    for organisation in world.organisations:
        refresh_trend_tables(organisation)
    return world


def populate(folder: Path) -> World:
    build = Builder(folder)
    framework, _created = load_framework_file(write_framework(folder, framework_document(per_stage=1)))
    organisations: list[Organisation] = []
    readers: list[Reader] = []
    for letter, kind in (("a", OrganisationType.NATIONAL_AUTHORITY), ("b", OrganisationType.NATIONAL_CSIRT)):
        # Organisation names carry no marker: they are not secret (a strategy action may be led by any).
        organisation = Organisation.objects.create(
            name=f"Organisation {letter.upper()}", acronym=letter.upper(), slug=f"org-{letter}", type=kind, country="PY"
        )
        organisations.append(organisation)
        build.add("organisation", organisation, organisation_id=organisation.pk, rule="organisation")
        users: dict[str, User] = {}
        for role in Role.values:
            user = User.objects.create_user(username=f"{letter}-{role}", password="unused-in-these-tests")
            membership = Membership.objects.create(user=user, organisation=organisation, role=role)
            users[role] = user
            readers.append(Reader(f"{letter}-{role}", user, organisation.pk, role))
            build.add("membership", membership, organisation_id=organisation.pk, rule="organisation")
        creator, coordinator = users[Role.CONTRIBUTOR], users[Role.COORDINATOR]
        entry_marker = build.marker()
        do_save_constituency_entry(
            coordinator, organisation, network=f"181.{len(organisations)}.0.0/16", holder=f"Holder {entry_marker}"
        )
        build.add("constituency", None, organisation_id=organisation.pk, rule="organisation", marker=entry_marker)
        mapping_marker = build.marker()
        do_save_mapping(
            coordinator,
            organisation,
            name=f"mapping-{letter}",
            columns={"time": {"field": "time.source", "convert": "timestamp"}},
            description=f"Mapping {mapping_marker}",
        )
        build.add("mapping", None, organisation_id=organisation.pk, rule="organisation", marker=mapping_marker)
        # A holds records at every label; B, the other organisation, at the most shareable one. Every role
        # of B tries A's records at every label, and every role of A tries B's.
        for tlp in TLP.values if letter == "a" else [TLP.CLEAR]:
            common = {"organisation_id": organisation.pk, "tlp": tlp, "creator_id": creator.pk}
            # A gap and its evidence.
            marker = build.marker()
            gap = do_create_gap(creator, organisation, tlp=tlp, title_en=f"Gap {marker}")
            parent = build.add("gap", gap, rule="tlp", marker=marker, **common)
            evidence_marker = build.marker()
            evidence = do_add_gap_evidence(
                creator,
                gap,
                kind="document",
                label=f"Evidence {evidence_marker}",
                document=SimpleUploadedFile("note.txt", f"Evidence body {evidence_marker}".encode(), "text/plain"),
            )
            build.add("gap_evidence", evidence, parent, marker=evidence_marker)
            # An assessment, one of its factors, an answer with evidence.
            marker = build.marker()
            assessment = assessment_actions.do_create_assessment(
                creator,
                organisation,
                framework,
                title=f"Assessment {marker}",
                country="PY",
                date=dt.date(2026, 3, 1),
                method="expert_review",
                tlp=tlp,
            )
            parent = build.add("assessment", assessment, rule="tlp", marker=marker, **common)
            build.add("factor", assessment.factors.order_by("factor_id").first(), parent)
            answer = assessment.answers.order_by("pk").first()
            evidence_marker = build.marker()
            build.add("answer", answer, parent)
            evidence = assessment_actions.do_add_answer_evidence(
                creator, answer, kind="citation", label=f"Evidence {evidence_marker}", citation="Decree 1/2026"
            )
            build.add("assessment_evidence", evidence, parent, marker=evidence_marker)
            # A national instrument with an article, and an alignment review.
            marker, article_marker = build.marker(), build.marker()
            csv_text = (
                "kind,number,title,date,article,heading\n"
                f"law,{marker},Law {marker},2011-07-29,1,Heading {article_marker}\n"
            )
            legal_actions.do_import_instruments_csv(creator, organisation, "PY", csv_text.encode())
            instrument = Instrument.objects.get(organisation=organisation, number=marker)
            instrument.tlp = tlp  # the import files public law as CLEAR; here every label is tried
            instrument.save(update_fields=["tlp"])
            build.add("legal_instrument", instrument, rule="tlp", marker=marker, **common)
            build.add(
                "legal_article",
                None,
                organisation_id=organisation.pk,
                rule="tlp",
                marker=article_marker,
                tlp=tlp,
                creator_id=creator.pk,
            )
            marker = build.marker()
            review = legal_actions.do_create_review(
                creator, organisation, title=f"Review {marker}", country="PY", date=dt.date(2026, 3, 1), tlp=tlp
            )
            build.add("legal_review", review, rule="tlp", marker=marker, **common)
            # Capacity building: a programme with a course, a session, a participant (key: the organisation's
            # members; name: the training coordinator only), attendance, an audience size and two list imports.
            marker = build.marker()
            provider = training_actions.do_create_provider(
                creator, organisation, name=f"Provider {marker}", kind=ProviderKind.CSIRT
            )
            build.add(
                "training_provider", provider, organisation_id=organisation.pk, rule="organisation", marker=marker
            )
            marker = build.marker()
            programme = training_actions.do_create_programme(
                creator, organisation, provider=provider, title=f"Programme {marker}", tlp=tlp
            )
            parent = build.add("training_programme", programme, rule="tlp", marker=marker, **common)
            part = build.marker()
            course = training_actions.do_create_course(
                creator, programme, title=f"Course {part}", topics=["awareness"], hours=4
            )
            build.add("training_course", course, parent, marker=part)
            part = build.marker()
            session = training_actions.do_create_session(
                creator, course, start_date=dt.date(2026, 4, 1), place=f"Place {part}"
            )
            build.add("training_session", session, parent, marker=part)
            key, name_marker = build.marker(), build.marker()
            participant = training_actions.do_create_participant(
                coordinator,
                organisation,
                with_names=True,
                key=key,
                audience=Audience.PUBLIC_OFFICIALS,
                name=f"Name {name_marker}",
                email=f"{name_marker}@example.org",
            )
            build.add(
                "training_participant", participant, organisation_id=organisation.pk, rule="organisation", marker=key
            )
            build.add("training_name", None, organisation_id=organisation.pk, rule="names", marker=name_marker)
            attendance, _changed = training_actions.do_record_attendance(creator, session, participant, completed=True)
            build.add("training_attendance", attendance, parent)
            part = build.marker()
            size, _new = training_actions.do_set_denominator(
                creator,
                organisation,
                audience=Audience.PUBLIC_OFFICIALS,
                year=2026,
                institution=f"Ministry {part}",
                size=40,
            )
            build.add("training_denominator", size, organisation_id=organisation.pk, rule="organisation", marker=part)
            part, bad_name = build.marker(), build.marker()
            listing = (
                "key,name,audience,course,session_date,completed\n"
                f"{key},Name {name_marker},public_officials,{course.title},2026-04-01,yes\n"
                f"{key}-2,Name {bad_name},nobody,{course.title},2026-04-01,yes\n"
            )
            rejected = training_actions.do_import_participants(
                coordinator, programme, f"list-{part}.csv", listing.encode(), with_names=True
            ).record
            build.add("training_import", rejected, parent, marker=part)
            build.add("training_name", None, organisation_id=organisation.pk, rule="names", marker=bad_name)
            # A strategy with a principle, an axis with a KPI, an action with a KPI and a progress update,
            # a version.
            marker = build.marker()
            strategy = strategy_actions.do_create_strategy(
                creator,
                organisation,
                title_en=f"Strategy {marker}",
                country="PY",
                start_year=2025,
                end_year=2028,
                tlp=tlp,
            )
            parent = build.add("strategy", strategy, rule="tlp", marker=marker, **common)
            build.add("task", strategy.tasks.order_by("pk").first(), parent)
            part = build.marker()
            principle = strategy_actions.do_add_principle(creator, strategy, title_en=f"Principle {part}")
            build.add("principle", principle, parent, marker=part)
            part = build.marker()
            axis = strategy_actions.do_create_element(
                creator, strategy, kind=ElementKind.AXIS, code="1", title_en=f"Axis {part}"
            )
            build.add("element", axis, parent, marker=part)
            part = build.marker()
            element_kpi = strategy_actions.do_create_kpi(creator, axis, name_en=f"KPI {part}", unit="count")
            build.add("element_kpi", element_kpi, parent, marker=part)
            part = build.marker()
            objective = strategy_actions.do_create_element(
                creator, strategy, kind=ElementKind.OBJECTIVE, parent=axis, code="1.1", title_en=f"Objective {part}"
            )
            build.add("objective", objective, parent, marker=part)
            part = build.marker()
            action = strategy_actions.do_create_action(
                creator, strategy, parent=objective, title_en=f"Action {part}", lead=organisation
            )
            build.add("action", action, parent, marker=part)
            part = build.marker()
            line = budget_actions.do_add_budget_line(
                creator,
                action,
                year=2026,
                funding_source=FundingSource.NATIONAL_BUDGET,
                amount="1000",
                note=f"Line {part}",
            )
            build.add("budget_line", line, parent, marker=part)
            part = build.marker()
            rate = budget_actions.do_add_rate(
                creator, strategy, base="USD", quote="EUR", year=2026, rate="0.9", source=f"Rate {part}"
            )
            build.add("rate", rate, parent, marker=part)
            part = build.marker()
            evaluation = oversight.do_create_evaluation(
                creator,
                strategy,
                kind="ad_hoc",
                date=dt.date(2026, 1, 15),
                evaluator=f"Evaluator {part}",
                evaluator_type="internal",
            )
            build.add("evaluation", evaluation, parent, marker=part)
            part = build.marker()
            recommendation = oversight.do_create_recommendation(creator, evaluation, text=f"Recommendation {part}")
            build.add("recommendation", recommendation, parent, marker=part)
            part = build.marker()
            risk = oversight.do_create_risk(
                creator, objective, kind="risk", text=f"Risk {part}", likelihood=2, impact=3
            )
            build.add("risk", risk, parent, marker=part)
            part = build.marker()
            owner = oversight.do_set_axis_owner(creator, axis, body=f"Body {part}")
            build.add("axis_owner", owner, parent, marker=part)
            part = build.marker()
            kpi = strategy_actions.do_create_kpi(creator, action, name_en=f"KPI {part}", unit="count")
            build.add("kpi", kpi, parent, marker=part)
            part = build.marker()
            update = strategy_actions.do_report_progress(
                creator,
                action,
                date=dt.date(2026, 1, 15),
                status="in_progress",
                percent_complete=10,
                narrative=f"Progress {part}",
            )
            build.add("update", update, parent, marker=part)
            part = build.marker()
            version = strategy_version_actions.do_create_version(creator, strategy, note=f"Version {part}")
            build.add("version", version, parent, marker=part)
            # An import: its file name, quarantined row and stored event carry the marker.
            marker = build.marker()
            record = make_import(folder, creator, organisation, tlp, marker)
            build.add("import", record, rule="evidence", marker=marker, **common)
        # Jobs: one started by the coordinator, one by the viewer.
        for role in (Role.COORDINATOR, Role.VIEWER):
            marker = build.marker()
            job = do_start_job(users[role], organisation, AUDIT_EXPORT, {"note": f"Job {marker}"})
            build.add("job", job, organisation_id=organisation.pk, rule="job", creator_id=users[role].pk, marker=marker)
    # Organisation A, whose records are at all five labels, lets B read its event store up to TLP:AMBER:
    # B's readers see A's events (never AMBER+STRICT or RED), but not A's imports, quarantine or constituency.
    org_a, org_b = organisations
    marker = build.marker()
    grant = do_grant_store_access(None, org_a, org_b, ceiling=TLP.AMBER, reason=f"Grant {marker}")
    build.add("store_grant", grant, organisation_id=org_a.pk, rule="grant", recipient_id=org_b.pk, marker=marker)
    for record in [*build.records["import"], *build.records["organisation"]]:
        if record.organisation_id == org_a.pk:
            record.granted[org_b.pk] = TLP.AMBER
    for entry in AuditEntry.objects.filter(organisation__in=organisations).order_by("pk")[::25]:
        build.add("audit", entry, organisation_id=entry.organisation_id, rule="audit")
    nobody = User.objects.create_user(username="nobody", password="unused-in-these-tests")
    readers.append(Reader("nobody", nobody, None, None))
    by_marker = {r.marker: r for records in build.records.values() for r in records if r.marker}
    world = World(organisations, readers, build.records, by_marker)
    for reader in readers:
        web, api = Client(), APIClient()
        web.force_login(reader.user)
        api.force_authenticate(reader.user)
        world.clients[reader.name] = (web, api)
    return world


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Built once for the module inside a transaction that is rolled back at the end."""
    folder = tmp_path_factory.mktemp("exhaustive")
    with (
        django_db_blocker.unblock(),
        override_settings(CYBERPLAN_EVENTS_DIR=folder / "events", MEDIA_ROOT=folder / "media"),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world(folder)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# -- the checks ----------------------------------------------------------------------------------

TALLY: Counter[str] = Counter()


def check(
    world: World, reader: Reader, path: str, query: dict[str, Any], events: bool = False
) -> tuple[int, list[str]]:
    web, api = world.clients[reader.name]
    client = api if path.startswith("/api/") else web
    response = client.get(path, query)
    TALLY["requests"] += 1
    problems = []
    if response.status_code >= 500:
        problems.append(f"{reader.name} GET {path}: server error {response.status_code}")
    body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
    for marker in set(MARKER.findall(body.decode("utf-8", "replace"))):
        record = world.by_marker.get(marker)
        if record is not None and not sees(reader, record, events):
            problems.append(f"{reader.name} GET {path}: shows {record.kind} {marker} ({record.tlp or record.rule})")
    return response.status_code, problems


def requests_for(world: World, name: str, spec: Reads | Lists) -> Iterator[tuple[str, dict[str, Any], Record | None]]:
    if isinstance(spec, Lists):
        yield reverse(name, kwargs=spec.args(world)), dict(spec.query), None
        return
    for record in world.records[spec.kind]:
        query = spec.query(record.obj) if spec.query else {}
        yield reverse(name, kwargs=spec.args(record.obj)), query, record


def test_every_url_is_classified() -> None:
    missing = [name for name in url_names() if classification(name) is None]
    assert not missing, (
        "These URL names are not classified for the exhaustive access test: "
        + ", ".join(missing)
        + ". Add each to ROUTES in tests/core/test_access_exhaustive.py (see docs/concepts/access.md, "
        "'Checking every endpoint')."
    )
    stale = sorted(set(ROUTES) - set(url_names()))
    assert not stale, f"ROUTES names URLs that no longer exist: {', '.join(stale)}"


READ_ROUTES = sorted(name for name, spec in ROUTES.items() if not isinstance(spec, Skip))


@pytest.mark.django_db
@pytest.mark.parametrize("name", READ_ROUTES)
def test_no_leak(world: World, name: str) -> None:
    spec = ROUTES[name]
    assert not isinstance(spec, Skip)
    problems: list[str] = []
    for path, query, record in requests_for(world, name, spec):
        once = isinstance(spec, Lists) and spec.once
        for reader in world.readers[:1] if once else world.readers:
            TALLY["combinations"] += 1
            status, found = check(world, reader, path, query, spec.events)
            hidden = (
                record is not None
                and isinstance(spec, Reads)
                and spec.not_found
                and not sees(reader, record, spec.events)
            )
            if hidden and status != 404:
                found.append(f"{reader.name} GET {path}: {status} for a hidden {record.kind}, expected 404")
            TALLY["leaks"] += len(found)
            problems.extend(found)
    assert not problems, "\n".join(problems[:30])


def test_summary(capsys: pytest.CaptureFixture[str]) -> None:
    """Prints how many combinations were tried; run last in the module."""
    with capsys.disabled():
        sys.stdout.write(
            f"\nexhaustive access test: {len(url_names())} URL names, {len(READ_ROUTES)} read endpoints, "
            f"{TALLY['combinations']} combinations (endpoint x record x reader), "
            f"{TALLY['requests']} requests, leaks: {TALLY['leaks']}\n"
        )
