"""Web pages of the assessment app. Thin: read through access.py and results.py, write through actions.py."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cyberplan.core.access import Permission, has_permission, organisations_where
from cyberplan.core.forms import attach_errors
from cyberplan.core.models import User
from cyberplan.gaps.access import gaps_visible_to
from cyberplan.gaps.marking import Withheld, confirm_message, withheld

from . import actions, results
from .access import (
    access_assessment_by_id,
    access_evidence_by_id,
    access_factor,
    assessments_visible_to,
    can_answer,
    require_answer,
)
from .charts import stage_chart
from .choices import AnswerValue
from .exchange import ExchangeError, export_assessment, import_assessment
from .forms import (
    AnswerForm,
    AssessmentDetailsForm,
    AssessmentForm,
    AssignForm,
    CommentForm,
    CompareForm,
    EvidenceForm,
    ImportForm,
    TargetForm,
    UnlockForm,
)
from .models import Answer, Assessment, AssessmentFactor
from .report_jobs import do_request_assessment_report


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _lang() -> str:
    return (get_language() or "en")[:2]


def _locked(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    messages.error(request, _("This assessment is locked: it is final and can no longer be changed."))
    return redirect("assessment:assessment_detail", pk=assessment.pk)


# --------------------------------------------------------------------------- list, create, detail


@login_required
def assessment_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    page = Paginator(assessments_visible_to(user), 25).get_page(request.GET.get("page"))
    can_create = organisations_where(user, Permission.EDIT).exists()
    return render(
        request,
        "assessment/assessment_list.html",
        {"page": page, "query": "", "can_create": can_create},
    )


@login_required
def assessment_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    organisations = organisations_where(user, Permission.EDIT)
    if not organisations.exists():
        raise PermissionDenied
    form = AssessmentForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organisation = data.pop("organisation")
        framework = data.pop("framework")
        try:
            assessment = actions.do_create_assessment(user, organisation, framework, **data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The assessment was created."))
            return redirect("assessment:assessment_detail", pk=assessment.pk)
    return render(request, "assessment/assessment_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    assessment = access_assessment_by_id(user, pk)
    lang = _lang()
    others = assessments_visible_to(user).filter(
        country=assessment.country, framework__framework_id=assessment.framework.framework_id
    )
    scores = results.factor_scores(assessment, lang)
    structure = assessment.framework.structure()
    dimensions = results.dimension_summaries(assessment, lang)
    for dim in dimensions:
        dim["factors"] = [s for s in scores if s["dimension_id"] == dim["dimension_id"]]
    org = assessment.organisation_id
    return render(
        request,
        "assessment/assessment_detail.html",
        {
            "assessment": assessment,
            "report_withheld": _report_withheld(user, assessment),
            "framework": structure,
            "stages": [(s.ordinal, s.name.get(lang)) for s in structure.stages],
            "dimensions": dimensions,
            "stage_chart": stage_chart(assessment, lang),
            "gaps": gaps_visible_to(user).filter(pk__in=[g.pk for g in results.assessment_gaps(assessment)]),
            "compare_form": CompareForm(assessments=others.exclude(pk=assessment.pk)),
            "unlock_form": UnlockForm(),
            "can_decide": has_permission(user, org, Permission.DECIDE),
            "can_edit": has_permission(user, org, Permission.EDIT) and not assessment.locked,
            "can_unlock": has_permission(user, org, Permission.ADMINISTER),
        },
    )


@login_required
def assessment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    assessment = access_assessment_by_id(user, pk, Permission.EDIT)
    if assessment.locked:
        return _locked(request, assessment)
    form = AssessmentDetailsForm(request.POST or None, instance=assessment, initial={"version": assessment.version})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            assessment = actions.do_update_assessment(user, assessment, version, **data)
        except actions.AssessmentLockedError:
            return _locked(request, assessment)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The assessment was updated."))
            return redirect("assessment:assessment_detail", pk=assessment.pk)
    return render(
        request,
        "assessment/assessment_form.html",
        {"form": form, "assessment": assessment},
        status=400 if form.errors else 200,
    )


# --------------------------------------------------------------------------- a factor


def _factor_page(
    request: HttpRequest,
    assessment: Assessment,
    factor_row: AssessmentFactor,
    *,
    status: int = 200,
    forms: dict[str, Form] | None = None,
    conflict: dict[str, Any] | None = None,
) -> HttpResponse:
    user = _user(request)
    lang = _lang()
    structure = assessment.framework.structure()
    factor = structure.factor(factor_row.factor_id)
    answers = {
        a.indicator_id: a
        for a in Answer.objects.filter(assessment=assessment, factor_id=factor.id).prefetch_related("evidence")
    }
    score = next(s for s in results.factor_scores(assessment, lang) if s["factor_id"] == factor.id)
    forms = forms or {}
    stages = []
    for stage in structure.stages:
        items = []
        for indicator in factor.indicators_at(stage.ordinal):
            answer = answers[indicator.id]
            form = forms.get(f"answer-{indicator.id}") or AnswerForm(
                prefix=f"a{answer.pk}",
                initial={"value": answer.value or None, "note": answer.note, "version": answer.version},
            )
            items.append(
                {
                    "indicator": indicator,
                    "text": indicator.text.get(lang),
                    "evidence_text": indicator.evidence.get(lang),
                    "answer": answer,
                    "form": form,
                    "claimed": indicator.id in score["claimed_without_evidence"],
                }
            )
        stages.append(
            {"stage": stage, "name": stage.name.get(lang), "items": items, "counts": score["counts"][stage.ordinal - 1]}
        )
    indicator_choices = [(i.id, f"{i.id} {i.text.get(lang)}"[:120]) for i in factor.indicators]
    org = assessment.organisation_id
    return render(
        request,
        "assessment/factor_detail.html",
        {
            "assessment": assessment,
            "factor": factor,
            "factor_name": factor.name.get(lang),
            "row": factor_row,
            "score": score,
            "stages": stages,
            "comments": assessment.comments.filter(factor_id=factor.id).select_related("author"),
            "evidence_form": forms.get("evidence") or EvidenceForm(indicators=indicator_choices),
            "comment_form": forms.get("comment") or CommentForm(),
            "assign_form": forms.get("assign")
            or AssignForm(initial={"assignee": factor_row.assignee_id}, organisation_id=org),
            "target_form": forms.get("target")
            or TargetForm(
                initial={"target_stage": factor_row.target_stage},
                stages=[(s.ordinal, s.name.get(lang)) for s in structure.stages],
            ),
            "conflict": conflict,
            "can_answer": can_answer(user, assessment, factor_row) and not assessment.locked,
            "can_decide": has_permission(user, org, Permission.DECIDE) and not assessment.locked,
        },
        status=status,
    )


def _factor(
    request: HttpRequest, pk: int, factor_id: str, permission: Permission = Permission.VIEW
) -> tuple[Assessment, AssessmentFactor]:
    assessment = access_assessment_by_id(_user(request), pk, permission)
    return assessment, access_factor(assessment, factor_id)


@login_required
def factor_detail(request: HttpRequest, pk: int, factor_id: str) -> HttpResponse:
    assessment, row = _factor(request, pk, factor_id)
    return _factor_page(request, assessment, row)


@login_required
@require_POST
def answer_indicator(request: HttpRequest, pk: int, factor_id: str, answer_pk: int) -> HttpResponse:
    assessment, row = _factor(request, pk, factor_id)
    require_answer(_user(request), assessment, row)
    try:
        answer = assessment.answers.get(pk=answer_pk, factor_id=row.factor_id)
    except Answer.DoesNotExist:
        raise Http404 from None
    form = AnswerForm(request.POST, prefix=f"a{answer.pk}", indicator_id=answer.indicator_id)
    if not form.is_valid():
        return _factor_page(request, assessment, row, status=400, forms={f"answer-{answer.indicator_id}": form})
    data = form.cleaned_data
    try:
        actions.do_answer_indicator(_user(request), answer, data["version"], value=data["value"], note=data["note"])
    except actions.AssessmentLockedError:
        return _locked(request, assessment)
    except actions.ConcurrentEditError as exc:
        current = exc.current
        fresh = AnswerForm(
            prefix=f"a{answer.pk}",
            initial={"value": data["value"], "note": data["note"], "version": current.version},
        )
        conflict = {
            "message": _(
                "Someone else changed this answer while you were editing it. Your answer was not saved; "
                "both are shown. Choose again and save to keep yours."
            ),
            "indicator_id": answer.indicator_id,
            "current_value": current.get_value_display() or _("Not answered"),
            "current_note": current.note,
            "current_by": current.answered_by,
            "your_value": AnswerValue(data["value"]).label,
            "your_note": data["note"],
        }
        return _factor_page(
            request, assessment, row, status=409, forms={f"answer-{answer.indicator_id}": fresh}, conflict=conflict
        )
    messages.success(request, _("The answer to %(id)s was saved.") % {"id": answer.indicator_id})
    return redirect(f"{_factor_url(assessment, row)}#i-{answer.indicator_id}")


def _factor_url(assessment: Assessment, row: AssessmentFactor) -> str:
    return actions.factor_path(assessment, row.factor_id)


@login_required
@require_POST
def add_evidence(request: HttpRequest, pk: int, factor_id: str) -> HttpResponse:
    assessment, row = _factor(request, pk, factor_id)
    require_answer(_user(request), assessment, row)
    factor = assessment.framework.structure().factor(row.factor_id)
    form = EvidenceForm(request.POST, request.FILES, indicators=[(i.id, i.id) for i in factor.indicators])
    if form.is_valid():
        data = dict(form.cleaned_data)
        answer = assessment.answers.get(indicator_id=data.pop("indicator"))
        try:
            actions.do_add_answer_evidence(_user(request), answer, **data)
        except actions.AssessmentLockedError:
            return _locked(request, assessment)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("The evidence was added to %(id)s.") % {"id": answer.indicator_id})
            return redirect(f"{_factor_url(assessment, row)}#i-{answer.indicator_id}")
    return _factor_page(request, assessment, row, status=400, forms={"evidence": form})


def _submit_factor_form(
    request: HttpRequest,
    assessment: Assessment,
    row: AssessmentFactor,
    form: Form,
    key: str,
    act: Callable[[dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    """Run ``act`` on a valid factor form: back to the factor with ``done``, or the page again with the errors."""
    if form.is_valid():
        try:
            act(form.cleaned_data)
        except actions.AssessmentLockedError:
            return _locked(request, assessment)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(_factor_url(assessment, row))
    return _factor_page(request, assessment, row, status=400, forms={key: form})


@login_required
@require_POST
def add_comment(request: HttpRequest, pk: int, factor_id: str) -> HttpResponse:
    assessment, row = _factor(request, pk, factor_id)
    require_answer(_user(request), assessment, row)
    form = CommentForm(request.POST)
    return _submit_factor_form(
        request,
        assessment,
        row,
        form,
        "comment",
        lambda data: actions.do_add_factor_comment(_user(request), row, data["text"]),
        _("The comment was added."),
    )


@login_required
@require_POST
def assign_factor(request: HttpRequest, pk: int, factor_id: str) -> HttpResponse:
    assessment, row = _factor(request, pk, factor_id, Permission.DECIDE)
    form = AssignForm(request.POST, organisation_id=assessment.organisation_id)
    return _submit_factor_form(
        request,
        assessment,
        row,
        form,
        "assign",
        lambda data: actions.do_assign_factor(_user(request), row, data["assignee"]),
        _("The factor's contributor was saved."),
    )


@login_required
@require_POST
def set_target(request: HttpRequest, pk: int, factor_id: str) -> HttpResponse:
    assessment, row = _factor(request, pk, factor_id, Permission.DECIDE)
    structure = assessment.framework.structure()
    form = TargetForm(request.POST, stages=[(s.ordinal, s.name.get(_lang())) for s in structure.stages])
    return _submit_factor_form(
        request,
        assessment,
        row,
        form,
        "target",
        lambda data: actions.do_set_target_stage(_user(request), row, data["target_stage"]),
        _("The target stage was saved."),
    )


@login_required
@require_POST
def approve_factor(request: HttpRequest, pk: int, factor_id: str) -> HttpResponse:
    assessment, row = _factor(request, pk, factor_id, Permission.DECIDE)
    try:
        actions.do_approve_factor(_user(request), row)
    except actions.AssessmentLockedError:
        return _locked(request, assessment)
    messages.success(request, _("Factor %(id)s was approved.") % {"id": row.factor_id})
    return redirect(_factor_url(assessment, row))


@login_required
def evidence_download(request: HttpRequest, pk: int, evidence_pk: int) -> HttpResponseBase:
    assessment = access_assessment_by_id(_user(request), pk)
    evidence = access_evidence_by_id(assessment, evidence_pk)
    if not evidence.document:
        raise Http404
    return FileResponse(
        evidence.document.open("rb"), as_attachment=True, filename=(evidence.document.name or "").rsplit("/", 1)[-1]
    )


# --------------------------------------------------------------------------- lock, gaps, exchange


@login_required
@require_POST
def lock(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = access_assessment_by_id(_user(request), pk, Permission.DECIDE)
    actions.do_lock_assessment(_user(request), assessment)
    messages.success(request, _("The assessment is locked."))
    return redirect("assessment:assessment_detail", pk=assessment.pk)


@login_required
@require_POST
def unlock(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = access_assessment_by_id(_user(request), pk, Permission.ADMINISTER)
    form = UnlockForm(request.POST)
    if form.is_valid():
        actions.do_unlock_assessment(_user(request), assessment, form.cleaned_data["reason"])
        messages.success(request, _("The assessment is unlocked."))
    else:
        messages.error(request, _("Say why the assessment is unlocked."))
    return redirect("assessment:assessment_detail", pk=assessment.pk)


@login_required
@require_POST
def sync_gaps(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = access_assessment_by_id(_user(request), pk, Permission.DECIDE)
    try:
        changes = actions.do_sync_assessment_gaps(_user(request), assessment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        counts = {k: sum(1 for c in changes if c.change == k) for k in ("created", "updated", "closed")}
        messages.success(
            request,
            _("Gap register updated: %(created)s created, %(updated)s updated, %(closed)s closed.") % counts,
        )
    return redirect("assessment:assessment_detail", pk=assessment.pk)


@login_required
def export(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = access_assessment_by_id(_user(request), pk)
    body = json.dumps(export_assessment(assessment), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    name = f"assessment-{assessment.pk}-{slugify(assessment.title)[:40] or 'export'}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _report_withheld(user: User, assessment: Assessment) -> Withheld:
    """The gaps the user reads that the report, marked with the assessment's TLP, leaves out."""
    gaps = gaps_visible_to(user).filter(pk__in=[g.pk for g in results.assessment_gaps(assessment)])
    return withheld(gaps, assessment.tlp)


@login_required
@require_POST
def request_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue the assessment report in the chosen language and format; the job page offers the file.

    When the report would leave out gaps marked above its TLP, the requester confirms it first."""
    user = _user(request)
    assessment = access_assessment_by_id(user, pk)
    left_out = _report_withheld(user, assessment)
    if left_out.count and not request.POST.get("confirm_withheld"):
        messages.error(request, f"{left_out.warning()} {confirm_message()}")
        return redirect("assessment:assessment_detail", pk=assessment.pk)
    try:
        job = do_request_assessment_report(
            user, assessment, language=request.POST.get("language", ""), fmt=request.POST.get("format", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("assessment:assessment_detail", pk=assessment.pk)
    return redirect(reverse("jobs:job_detail", args=[job.pk]))


@login_required
def import_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    organisations = organisations_where(user, Permission.EDIT)
    if not organisations.exists():
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            assessment = import_assessment(user, form.cleaned_data["organisation"], upload.read())
        except ExchangeError as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(request, _("The assessment was imported."))
            return redirect("assessment:assessment_detail", pk=assessment.pk)
    return render(request, "assessment/import.html", {"form": form}, status=400 if form.errors else 200)


# --------------------------------------------------------------------------- progress and benchmark


@login_required
def compare(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    assessment = access_assessment_by_id(user, pk)
    other = access_assessment_by_id(user, request.GET.get("other", ""))
    if other.country != assessment.country or other.framework.framework_id != assessment.framework.framework_id:
        messages.error(request, _("Only assessments of the same country on the same framework can be compared."))
        return redirect("assessment:assessment_detail", pk=assessment.pk)
    earlier, later = sorted([assessment, other], key=lambda a: (a.date, a.pk))
    changes = results.compare_assessments(earlier, later, _lang())
    return render(
        request,
        "assessment/compare.html",
        {
            "assessment": assessment,
            "earlier": earlier,
            "later": later,
            "changes": changes,
            "up": [c for c in changes if c.direction == "up"],
            "down": [c for c in changes if c.direction == "down"],
        },
    )


@login_required
def benchmark(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = access_assessment_by_id(_user(request), pk)
    lang = _lang()
    figures = results.benchmark_figures()
    country = str(assessment.country)
    return render(
        request,
        "assessment/benchmark.html",
        {
            "assessment": assessment,
            "dimensions": results.dimension_summaries(assessment, lang),
            "own_figures": [f for f in figures if f.country == country],
            "peer_figures": [f for f in figures if f.country != country],
            "area_names": results.benchmark_area_names(assessment, lang),
        },
    )


@login_required
def crosswalk(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = access_assessment_by_id(_user(request), pk)
    return render(
        request,
        "assessment/crosswalk.html",
        {
            "assessment": assessment,
            "tables": results.crosswalk_tables(assessment, get_language() or "en"),
            "ncsi": results.ncsi_table(assessment, get_language() or "en"),
        },
    )
