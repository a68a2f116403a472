"""Web pages of the legal alignment app. Thin: read through access.py and results.py, write through actions.py."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cyberplan.core.access import Permission, has_permission, organisations_where, require
from cyberplan.core.forms import attach_errors
from cyberplan.core.models import User

from . import actions, evidence, parsing, results
from .access import (
    access_instrument_by_id,
    access_review_by_id,
    instruments_visible_to,
    mappable_articles,
    reviews_visible_to,
)
from .catalogue import shipped_catalogue
from .choices import REVIEW_TRANSITIONS, Asks, ReviewState
from .coverage import compare as compare_findings
from .forms import CoverageEvidenceForm, CsvImportForm, FindingForm, ReviewDetailsForm, ReviewForm, TextImportForm
from .models import Review, TreatyStatus


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


# --------------------------------------------------------------------------- catalogue and status


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    catalogue = shipped_catalogue()
    treaties = [(treaty, [(a, Asks(a.asks).label) for a in treaty.articles]) for treaty in catalogue.treaties]
    return render(request, "legal/catalogue.html", {"catalogue": catalogue, "treaties": treaties})


@login_required
def treaty_status(request: HttpRequest) -> HttpResponse:
    treaties = shipped_catalogue().treaties
    by_country: dict[str, dict[str, TreatyStatus]] = {}
    names: dict[str, str] = {}
    for status in TreatyStatus.objects.all():
        by_country.setdefault(status.country.code, {})[status.treaty] = status
        names[status.country.code] = str(status.country.name)
    rows = [
        (names[code], [by_country[code].get(t.id) for t in treaties])
        for code in sorted(by_country, key=names.__getitem__)
    ]
    return render(request, "legal/treaty_status.html", {"treaties": treaties, "rows": rows})


# --------------------------------------------------------------------------- instruments


@login_required
def instrument_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    page = Paginator(instruments_visible_to(user), 50).get_page(request.GET.get("page"))
    can_import = organisations_where(user, Permission.EDIT).exists()
    return render(request, "legal/instrument_list.html", {"page": page, "can_import": can_import})


@login_required
def instrument_detail(request: HttpRequest, pk: int) -> HttpResponse:
    instrument = access_instrument_by_id(_user(request), pk)
    return render(
        request,
        "legal/instrument_detail.html",
        {"instrument": instrument, "articles": instrument.articles.all(), "amends": instrument.amends.all()},
    )


def _show_problems(form: CsvImportForm | TextImportForm, exc: parsing.LegalImportError) -> None:
    for problem in exc.problems:
        form.add_error(None, str(problem))


@login_required
def instrument_import(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    organisations = organisations_where(user, Permission.EDIT)
    if not organisations.exists():
        raise PermissionDenied
    mode = request.POST.get("mode", "csv") if request.method == "POST" else ""
    csv_form = CsvImportForm(
        request.POST if mode == "csv" else None, request.FILES or None, organisations=organisations, prefix="csv"
    )
    text_form = TextImportForm(
        request.POST if mode == "text" else None, request.FILES or None, organisations=organisations, prefix="text"
    )
    form = csv_form if mode == "csv" else text_form
    if mode and form.is_valid():
        data = form.cleaned_data
        organisation = data["organisation"]
        require(user, organisation.pk, Permission.EDIT)
        try:
            if mode == "csv":
                result = actions.do_import_instruments_csv(user, organisation, data["country"], data["file"].read())
            else:
                raw = data["file"].read() if data.get("file") else data["text"].encode("utf-8")
                fields = {k: str(data.get(k) or "") for k in parsing.COLUMNS if k in data}
                result = actions.do_import_instrument_text(user, organisation, data["country"], fields, raw)
        except parsing.LegalImportError as exc:
            _show_problems(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Imported: %(created)d new instruments, %(updated)d changed, %(unchanged)d unchanged; "
                    "%(articles)d new articles, %(articles_updated)d articles changed."
                )
                % {
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                    "articles": result.articles_created,
                    "articles_updated": result.articles_updated,
                },
            )
            if result.preamble_lines:
                messages.info(
                    request,
                    _("%(lines)d lines before the first article heading were not imported (the preamble).")
                    % {"lines": result.preamble_lines},
                )
            return redirect("legal:instrument_list")
    return render(request, "legal/instrument_import.html", {"csv_form": csv_form, "text_form": text_form, "mode": mode})


# --------------------------------------------------------------------------- reviews


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    page = Paginator(reviews_visible_to(user), 25).get_page(request.GET.get("page"))
    can_create = organisations_where(user, Permission.EDIT).exists()
    return render(request, "legal/review_list.html", {"page": page, "can_create": can_create})


@login_required
def review_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    organisations = organisations_where(user, Permission.EDIT)
    if not organisations.exists():
        raise PermissionDenied
    form = ReviewForm(request.POST or None, organisations=organisations, reviews=reviews_visible_to(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        require(user, data["organisation"].pk, Permission.EDIT)
        try:
            review = actions.do_create_review(
                user,
                data["organisation"],
                title=data["title"],
                country=data["country"],
                date=data["date"],
                tlp=data["tlp"],
                copy_from=data.get("copy_from"),
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            return redirect("legal:review_detail", pk=review.pk)
    return render(request, "legal/review_form.html", {"form": form})


@login_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    review = access_review_by_id(user, pk)
    can_edit = has_permission(user, review.organisation_id, Permission.EDIT) and not review.frozen
    details = ReviewDetailsForm(instance=review) if can_edit else None
    others = reviews_visible_to(user).filter(country=review.country).exclude(pk=review.pk)
    evidence_form = _evidence_form(user, review) if review.frozen else None
    return render(
        request,
        "legal/review_detail.html",
        {
            "review": review,
            "matrix": results.matrix(review),
            "can_edit": can_edit,
            "can_decide": has_permission(user, review.organisation_id, Permission.DECIDE),
            "transitions": sorted(REVIEW_TRANSITIONS.get(review.state, frozenset())),
            "details": details,
            "others": others,
            "evidence_form": evidence_form,
        },
    )


def _evidence_form(user: User, review: Review, data: Any = None) -> CoverageEvidenceForm | None:
    """The form attaching coverage to an assessment's legal indicators; None when the user may edit none."""
    assessments = evidence.assessments_for_evidence(user, review)
    if not assessments.exists():
        return None
    language = get_language() or "en"
    indicators: dict[str, str] = {}
    for assessment in assessments:
        for indicator in evidence.legal_indicators(assessment):
            indicators.setdefault(indicator.id, f"{indicator.id} · {indicator.text.get(language)}")
    parts = [(p.key, p.label) for p in evidence.coverage_parts(review)]
    return CoverageEvidenceForm(
        data, assessments=assessments, parts=parts, indicators=list(indicators.items()), prefix="evidence"
    )


@login_required
@require_POST
def review_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    review = access_review_by_id(user, pk)
    form = _evidence_form(user, review, request.POST) if review.frozen else None
    if form is None:
        raise PermissionDenied
    if not form.is_valid():
        messages.error(request, _("Nothing was attached: %(errors)s") % {"errors": form.errors.as_text()})
        return redirect("legal:review_detail", pk=review.pk)
    data = form.cleaned_data
    try:
        attached = actions.do_attach_coverage_evidence(
            user, review, data["assessment"], data["part"], list(data["indicators"])
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        created = sum(1 for a in attached if a.created)
        messages.success(
            request,
            _("Evidence attached to %(created)d indicators (%(already)d already had it).")
            % {"created": created, "already": len(attached) - created},
        )
    return redirect("legal:review_detail", pk=review.pk)


@login_required
@require_POST
def review_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    review = access_review_by_id(user, pk, Permission.EDIT)
    form = ReviewDetailsForm(request.POST, instance=review)
    if form.is_valid():
        try:
            actions.do_update_review(user, review, **{k: form.cleaned_data[k] for k in form.Meta.fields})
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The review was saved."))
    else:
        messages.error(request, _("The review was not saved: %(errors)s") % {"errors": form.errors.as_text()})
    return redirect("legal:review_detail", pk=review.pk)


@login_required
@require_POST
def review_state(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    state = request.POST.get("state", "")
    # Sending a review for review is editing; approving it or sending it back is deciding.
    needed = Permission.DECIDE if state in (ReviewState.APPROVED, ReviewState.DRAFT) else Permission.EDIT
    review = access_review_by_id(user, pk, needed)
    try:
        actions.do_set_review_state(user, review, state)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("legal:review_detail", pk=review.pk)


@login_required
@require_POST
def review_gaps(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    review = access_review_by_id(user, pk, Permission.DECIDE)
    try:
        pushed = actions.do_push_review_gaps(user, review)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Gap register: %(created)d gaps created, %(updated)d brought up to date.")
            % {"created": pushed.created, "updated": pushed.updated},
        )
    return redirect("legal:review_detail", pk=review.pk)


@login_required
def finding_edit(request: HttpRequest, pk: int, provision: str) -> HttpResponse:
    user = _user(request)
    review = access_review_by_id(user, pk)
    try:
        article = shipped_catalogue().article(provision)
        finding = review.provisions.get(provision=provision)
    except (KeyError, review.provisions.model.DoesNotExist):
        raise Http404 from None
    can_edit = has_permission(user, review.organisation_id, Permission.EDIT) and not review.frozen
    initial = {
        "coverage": finding.coverage,
        "reasoning": finding.reasoning,
        "reservation": finding.reservation,
        "national_articles": list(finding.national_articles.all()),
    }
    form = FindingForm(
        request.POST if request.method == "POST" else None, initial=initial, articles=mappable_articles(user, review)
    )
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.do_update_finding(
                    user,
                    finding,
                    coverage=data["coverage"],
                    reasoning=data["reasoning"],
                    national_articles=list(data["national_articles"]),
                    reservation=data["reservation"],
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, _("The finding was saved."))
                return redirect("legal:review_detail", pk=review.pk)
    return render(
        request,
        "legal/finding_form.html",
        {"review": review, "article": article, "finding": finding, "form": form, "can_edit": can_edit},
    )


@login_required
def review_compare(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    review = access_review_by_id(user, pk)
    other_id = request.GET.get("with", "")
    other = access_review_by_id(user, other_id) if other_id else None
    changes = []
    if other is not None:
        earlier, later = sorted([other, review], key=lambda r: (r.date, r.pk))
        catalogue = shipped_catalogue()
        changes = [
            (catalogue.article(c.provision), c)
            for c in compare_findings(catalogue, earlier.findings(), later.findings())
            if c.changed
        ]
    else:
        earlier = later = review
    return render(
        request,
        "legal/review_compare.html",
        {
            "review": review,
            "other": other,
            "earlier": earlier,
            "later": later,
            "changes": changes,
            "others": reviews_visible_to(user).filter(country=review.country).exclude(pk=review.pk),
        },
    )
