"""Pages of a strategy's versions: list, freeze, read, compare, the approval workflow, consultation comments.

Thin: reads go through access.py, writes through actions.py (which check the rules and audit).
Owner members see every version; members of a consulted organisation see only versions in
consultation, approved or published, and comment while a version is in consultation.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cyberplan.core.access import Permission, has_permission, roles_of
from cyberplan.core.choices import TLP
from cyberplan.core.forms import attach_errors
from cyberplan.core.models import User

from .. import access, actions, snapshot
from ..choices import (
    VERSION_TRANSITIONS,
    ElementKind,
    FocusArea,
    Frequency,
    FundingSource,
    IndicatorType,
    KPIDirection,
    KPISource,
    KPIUnit,
    ProgressWeighting,
    Resolution,
    VersionStatus,
)
from ..models import Comment, Strategy, StrategyVersion
from . import actions as version_actions
from .forms import (
    CommentForm,
    CompareForm,
    ResolveForm,
    VersionCreateForm,
    VersionMoveForm,
    VersionRefreshForm,
)

SHARED_HEADER = "strategy/_header.html"
FALLBACK_HEADER = "strategy/versions/_fallback_header.html"
CURRENT = "current"

# Labels of the snapshot's fields, for the comparison page.
FIELD_LABELS: dict[str, Any] = {
    "title_en": gettext_lazy("Title (English)"),
    "title_es": gettext_lazy("Title (Spanish)"),
    "description_en": gettext_lazy("Description (English)"),
    "description_es": gettext_lazy("Description (Spanish)"),
    "name_en": gettext_lazy("Name (English)"),
    "name_es": gettext_lazy("Name (Spanish)"),
    "definition_en": gettext_lazy("Definition (English)"),
    "definition_es": gettext_lazy("Definition (Spanish)"),
    "vision_en": gettext_lazy("Vision (English)"),
    "vision_es": gettext_lazy("Vision (Spanish)"),
    "foreword_en": gettext_lazy("Foreword (English)"),
    "foreword_es": gettext_lazy("Foreword (Spanish)"),
    "governance_en": gettext_lazy("Governance (English)"),
    "governance_es": gettext_lazy("Governance (Spanish)"),
    "start_year": gettext_lazy("First year"),
    "end_year": gettext_lazy("Last year"),
    "review_months": gettext_lazy("Review every (months)"),
    "tlp": gettext_lazy("TLP"),
    "illustrative": gettext_lazy("Illustrative"),
    "progress_weighting": gettext_lazy("Progress weighted"),
    "weight": gettext_lazy("Weight"),
    "indicator_type": gettext_lazy("Indicator type"),
    "order": gettext_lazy("Order"),
    "code": gettext_lazy("Code"),
    "parent": gettext_lazy("Under"),
    "focus_area": gettext_lazy("Focus area"),
    "lead": gettext_lazy("Lead institution"),
    "supporting": gettext_lazy("Supporting institutions"),
    "start_date": gettext_lazy("Start"),
    "end_date": gettext_lazy("End"),
    "budget": gettext_lazy("Budget"),
    "currency": gettext_lazy("Currency"),
    "funding_source": gettext_lazy("Funding source"),
    "funding_note": gettext_lazy("Funding note"),
    "gaps": gettext_lazy("Gaps addressed"),
    "unit": gettext_lazy("Unit"),
    "direction": gettext_lazy("Direction"),
    "baseline": gettext_lazy("Baseline"),
    "baseline_date": gettext_lazy("Baseline date"),
    "target": gettext_lazy("Target"),
    "target_date": gettext_lazy("Target date"),
    "frequency": gettext_lazy("Frequency"),
    "source": gettext_lazy("Data source"),
    "source_detail": gettext_lazy("Data source detail"),
}
# Fields whose values are choices, shown by their label.
CHOICE_FIELDS: dict[str, Any] = {
    "tlp": TLP,
    "progress_weighting": ProgressWeighting,
    "indicator_type": IndicatorType,
    "focus_area": FocusArea,
    "funding_source": FundingSource,
    "unit": KPIUnit,
    "direction": KPIDirection,
    "frequency": Frequency,
    "source": KPISource,
    "kind": ElementKind,
}
KIND_LABELS = {
    "strategy": gettext_lazy("Strategy"),
    "principle": gettext_lazy("Principle"),
    "element": gettext_lazy("Element"),
    "action": gettext_lazy("Action"),
    "kpi": gettext_lazy("KPI"),
}
CHANGE_LABELS = {
    "added": pgettext_lazy("difference between versions", "added"),
    "removed": pgettext_lazy("difference between versions", "removed"),
    "changed": pgettext_lazy("difference between versions", "changed"),
}
MOVED = {
    VersionStatus.CONSULTATION: gettext_lazy("Version %(number)d is now in consultation."),
    VersionStatus.DRAFT: gettext_lazy("Version %(number)d is a draft again."),
    VersionStatus.APPROVED: gettext_lazy("Version %(number)d is approved."),
    VersionStatus.PUBLISHED: gettext_lazy("Version %(number)d is published. Cite it as: %(citation)s."),
    VersionStatus.WITHDRAWN: gettext_lazy("Version %(number)d was withdrawn."),
}


# --------------------------------------------------------------------------- helpers


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _lang() -> str:
    return (get_language() or "en")[:2]


def header_template(owner: bool) -> str:
    """The strategy's shared header when it exists and the reader sees the working copy; else a small one."""
    if owner:
        try:
            get_template(SHARED_HEADER)
        except TemplateDoesNotExist:
            return FALLBACK_HEADER
        return SHARED_HEADER
    return FALLBACK_HEADER


def _pick(item: dict[str, Any], name: str) -> str:
    lang = _lang()
    other = "es" if lang == "en" else "en"
    return str(item.get(f"{name}_{lang}") or item.get(f"{name}_{other}") or "")


def _decimal_text(value: Any) -> Any:
    """A number stored as text in a snapshot ("120000.00", "4.0000") without its trailing zeros."""
    if not isinstance(value, str) or not value:
        return value
    try:
        number = Decimal(value)
    except InvalidOperation:
        return value
    if not number.is_finite():
        return value
    text = format(number.normalize(), "f")
    return text


def _choice_label(field: str, value: Any) -> Any:
    choices = CHOICE_FIELDS.get(field)
    if choices is not None and value in choices.values:
        return choices(value).label
    return value


def _strategy_for_versions(user: User, pk: int) -> tuple[Strategy, bool]:
    """The strategy and whether ``user`` reads its working copy; 404 if they may read no version of it."""
    try:
        strategy = Strategy.objects.select_related("organisation").get(pk=pk)
    except Strategy.DoesNotExist:
        raise Http404 from None
    owner = access.is_owner_member(user, strategy)
    if not owner and not access.versions_visible_to(user, strategy).exists():
        raise Http404
    return strategy, owner


def _can_decide(user: User, strategy: Strategy) -> bool:
    return access.is_owner_member(user, strategy) and has_permission(user, strategy.organisation_id, Permission.DECIDE)


def _require_decider(user: User, strategy: Strategy) -> None:
    if not _can_decide(user, strategy):
        raise PermissionDenied


def _reload_version(request: HttpRequest, form: BaseForm, version: int) -> None:
    """After a concurrent edit: keep what the user typed, but check the next save against the stored version."""
    data = request.POST.copy()
    data[form.add_prefix("version")] = str(version)
    form.data = data


def _to_detail(version: StrategyVersion) -> HttpResponse:
    return redirect("strategy:version_detail", pk=version.strategy_id, number=version.number)


# --------------------------------------------------------------------------- list and create


@login_required
def version_list(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    strategy, owner = _strategy_for_versions(user, pk)
    versions = list(access.versions_visible_to(user, strategy).order_by("-number").select_related("created_by"))
    counts: dict[int, int] = defaultdict(int)
    for version_id in Comment.objects.filter(strategy_version__in=versions).values_list("strategy_version", flat=True):
        counts[version_id] += 1
    for version in versions:
        version.comment_count = counts[version.pk]  # type: ignore[attr-defined]  # shown by the template only
    return render(
        request,
        "strategy/versions/version_list.html",
        {
            "strategy": strategy,
            "versions": versions,
            "owner": owner,
            "header_template": header_template(owner),
            "tab": "versions",
            "can_decide": _can_decide(user, strategy),
            "published": next((v for v in versions if v.status == VersionStatus.PUBLISHED), None),
            "compare_form": CompareForm(choices=_compare_choices(versions, owner))
            if len(versions) + owner > 1
            else None,
        },
    )


@login_required
def version_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    strategy = access.access_strategy_by_id(user, pk, Permission.DECIDE)
    form = VersionCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = version_actions.do_create_version(user, strategy, note=form.cleaned_data["note"])
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request, _("Version %(number)d was created from the working copy.") % {"number": version.number}
            )
            return _to_detail(version)
    return render(
        request,
        "strategy/versions/version_form.html",
        {
            "strategy": strategy,
            "form": form,
            "header_template": header_template(True),
            "tab": "versions",
        },
        status=400 if form.errors else 200,
    )


# --------------------------------------------------------------------------- one version


def _outline(document: dict[str, Any], counts: dict[str, int]) -> dict[str, Any]:
    """The snapshot as a tree to read: axes, objectives, action lines, actions and their KPIs."""
    children: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    for element in document.get("elements", []):
        children[element.get("parent")].append(element)
    actions_under: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in document.get("actions", []):
        actions_under[item["parent"]].append(item)

    def action_row(item: dict[str, Any]) -> dict[str, Any]:
        return {
            "uid": item["uid"],
            "code": item["code"],
            "title": _pick(item, "title"),
            "description": _pick(item, "description"),
            "lead": item.get("lead") or "",
            "supporting": item.get("supporting") or [],
            "start_date": item.get("start_date"),
            "end_date": item.get("end_date"),
            "budget": _decimal_text(item.get("budget")),
            "currency": item.get("currency") or "",
            "funding_source": _choice_label("funding_source", item.get("funding_source")),
            "funding_note": item.get("funding_note") or "",
            "gaps": item.get("gaps") or [],
            "comments": counts.get(item["uid"], 0),
            "kpis": [_kpi_row(kpi) for kpi in item.get("kpis", [])],
        }

    def _kpi_row(kpi: dict[str, Any]) -> dict[str, Any]:
        return {
            "name": _pick(kpi, "name"),
            "definition": _pick(kpi, "definition"),
            "unit": _choice_label("unit", kpi.get("unit")),
            "direction": _choice_label("direction", kpi.get("direction")),
            "baseline": _decimal_text(kpi.get("baseline")),
            "baseline_date": kpi.get("baseline_date"),
            "target": _decimal_text(kpi.get("target")),
            "target_date": kpi.get("target_date"),
            "frequency": _choice_label("frequency", kpi.get("frequency")),
            "source": _choice_label("source", kpi.get("source")),
            "source_detail": kpi.get("source_detail") or "",
            "indicator_type": _choice_label("indicator_type", kpi.get("indicator_type"))
            if kpi.get("indicator_type")
            else "",
        }

    def node(element: dict[str, Any], depth: int) -> dict[str, Any]:
        return {
            "uid": element["uid"],
            "kind": _choice_label("kind", element["kind"]),
            "code": element["code"],
            "title": _pick(element, "title"),
            "description": _pick(element, "description"),
            "focus_area": _choice_label("focus_area", element.get("focus_area")) if element.get("focus_area") else "",
            "heading": min(depth + 3, 5),
            "action_heading": min(depth + 4, 5),
            "comments": counts.get(element["uid"], 0),
            "children": [node(child, depth + 1) for child in children.get(element["uid"], [])],
            "actions": [action_row(item) for item in actions_under.get(element["uid"], [])],
            "kpis": [_kpi_row(kpi) for kpi in element.get("kpis", [])],
        }

    text = document.get("strategy", {})
    return {
        "title": _pick(text, "title"),
        "vision": _pick(text, "vision"),
        "foreword": _pick(text, "foreword"),
        "governance": _pick(text, "governance"),
        "start_year": text.get("start_year"),
        "end_year": text.get("end_year"),
        "owner": text.get("owner", ""),
        "tlp": _choice_label("tlp", text.get("tlp")),
        "tlp_value": text.get("tlp", ""),
        "principles": [
            {"title": _pick(p, "title"), "description": _pick(p, "description")} for p in document.get("principles", [])
        ],
        "axes": [node(element, 0) for element in children.get(None, [])],
        "comments": {key: counts.get(key, 0) for key in snapshot.TEXT_SECTIONS},
    }


def _move_forms(user: User, version: StrategyVersion, bound: VersionMoveForm | None = None) -> list[VersionMoveForm]:
    """One form per workflow move allowed from the version's status, for deciders only."""
    if not _can_decide(user, version.strategy):
        return []
    order = [
        VersionStatus.CONSULTATION,
        VersionStatus.APPROVED,
        VersionStatus.PUBLISHED,
        VersionStatus.DRAFT,
        VersionStatus.WITHDRAWN,
    ]
    allowed = VERSION_TRANSITIONS.get(version.status, frozenset())
    forms: list[VersionMoveForm] = []
    for target in order:
        if target not in allowed:
            continue
        if bound is not None and bound.target == target:
            forms.append(bound)
            continue
        forms.append(
            VersionMoveForm(
                target=target, initial={"version": version.version, "legal_reference": version.legal_reference}
            )
        )
    return forms


def _detail_page(
    request: HttpRequest,
    version: StrategyVersion,
    *,
    bound: VersionMoveForm | None = None,
    conflict: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    strategy = version.strategy
    owner = access.is_owner_member(user, strategy)
    counts: dict[str, int] = defaultdict(int)
    comments = version.comments.all()
    if not owner:
        comments = comments.filter(organisation__in=list(roles_of(user)))
    for section in comments.values_list("section", flat=True):
        counts[section] += 1
    can_decide = _can_decide(user, strategy)
    return render(
        request,
        "strategy/versions/version_detail.html",
        {
            "strategy": strategy,
            "version": version,
            "owner": owner,
            "header_template": header_template(owner),
            "tab": "versions",
            "outline": _outline(version.snapshot, counts),
            "comment_counts": dict(counts),
            "comment_total": sum(counts.values()),
            "can_decide": can_decide,
            "can_comment": access.commenting_organisations(user, version).exists(),
            "move_forms": _move_forms(user, version, bound),
            "conflict": conflict,
            "refresh_form": VersionRefreshForm(initial={"version": version.version})
            if can_decide and version.status == VersionStatus.DRAFT
            else None,
        },
        status=status,
    )


@login_required
def version_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    version = access.access_version(_user(request), pk, number)
    return _detail_page(request, version)


@login_required
@require_POST
def version_refresh(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    user = _user(request)
    version = access.access_version(user, pk, number)
    _require_decider(user, version.strategy)
    form = VersionRefreshForm(request.POST)
    expected = form.cleaned_data["version"] if form.is_valid() else None
    digest = version.digest
    try:
        version = version_actions.do_refresh_version(user, version, expected)
    except version_actions.PublishedVersionError as exc:
        messages.error(request, " ".join(exc.messages))
    except actions.ConcurrentEditError:
        messages.error(
            request,
            _(
                "Someone else changed version %(number)d while you were looking at it; nothing was done. "
                "Look at it again before taking in the working copy."
            )
            % {"number": version.number},
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if version.digest == digest:
            messages.info(
                request, _("Version %(number)d already matches the working copy.") % {"number": version.number}
            )
        else:
            messages.success(
                request, _("Version %(number)d now holds the current working copy.") % {"number": version.number}
            )
    return _to_detail(version)


@login_required
@require_POST
def version_move(request: HttpRequest, pk: int, number: int, to: str) -> HttpResponse:
    user = _user(request)
    version = access.access_version(user, pk, number)
    _require_decider(user, version.strategy)
    if to not in VersionStatus.values:
        raise Http404
    form = VersionMoveForm(request.POST, target=to)
    if not form.is_valid():
        return _detail_page(request, version, bound=form, status=400)
    data = form.cleaned_data
    try:
        version = version_actions.do_move_version(
            user,
            version,
            to,
            data["version"],
            legal_reference=(data.get("legal_reference") or "").strip(),
            closes_on=data.get("closes_on"),
        )
    except version_actions.PublishedVersionError as exc:
        messages.error(request, " ".join(exc.messages))
        return _to_detail(version)
    except actions.ConcurrentEditError as exc:
        current = cast(StrategyVersion, exc.current)
        form.add_error(
            None,
            _(
                "Someone else moved version %(number)d in the meantime; it is now %(status)s. Nothing was done; "
                "what you typed is kept below. Check the version and try again."
            )
            % {"number": current.number, "status": current.get_status_display().lower()},
        )
        if to not in _allowed(current):
            # The step is no longer offered: say so, and show what was typed so nothing is lost.
            return _detail_page(
                request, current, conflict={"message": form.non_field_errors()[0], "typed": _typed(form)}, status=409
            )
        # The next try is checked against the version now stored.
        _reload_version(request, form, current.version)
        return _detail_page(request, current, bound=form, status=409)
    except ValidationError as exc:
        attach_errors(form, exc)
        if to not in _allowed(version):
            return _detail_page(
                request, version, conflict={"message": " ".join(exc.messages), "typed": _typed(form)}, status=400
            )
        return _detail_page(request, version, bound=form, status=400)
    messages.success(
        request, MOVED[VersionStatus(version.status)] % {"number": version.number, "citation": version.citation}
    )
    return _to_detail(version)


def _typed(form: VersionMoveForm) -> list[tuple[Any, Any]]:
    """What the user typed into a workflow form, to show it when the step could not be taken."""
    return [
        (form.fields[name].label, value) for name, value in form.cleaned_data.items() if name != "version" and value
    ]


def _allowed(version: StrategyVersion) -> frozenset[str]:
    return VERSION_TRANSITIONS.get(version.status, frozenset())


# --------------------------------------------------------------------------- comparison


def _compare_choices(versions: list[StrategyVersion], owner: bool) -> list[tuple[str, str]]:
    choices = [(str(v.number), f"v{v.number} · {v.get_status_display()}") for v in versions]
    if owner:
        choices.append((CURRENT, _("Working copy (now)")))
    return choices


def _display(field: str, value: Any, uid_labels: dict[str, str]) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if field == "parent":
        return uid_labels.get(str(value), str(value))
    if field in ("budget", "baseline", "target"):
        return str(_decimal_text(value))
    return str(_choice_label(field, value))


def _uid_labels(*documents: dict[str, Any]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for document in documents:
        for element in document.get("elements", []):
            labels[element["uid"]] = f"{element['code']} {_pick(element, 'title')}".strip()
    return labels


def _describe(change: snapshot.Change, uid_labels: dict[str, str]) -> dict[str, Any]:
    return {
        "key": change.key,
        "kind": KIND_LABELS.get(change.kind, change.kind),
        "change": change.change,
        "change_label": CHANGE_LABELS.get(change.change, change.change),
        "label": change.label,
        "fields": [
            {
                "label": FIELD_LABELS.get(f.field, f.field),
                "segments": f.segments if f.field.endswith(("_en", "_es")) or f.field == "funding_note" else [],
                "before": _display(f.field, f.before, uid_labels),
                "after": _display(f.field, f.after, uid_labels),
            }
            for f in change.fields
        ],
    }


@login_required
def version_compare(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    strategy, owner = _strategy_for_versions(user, pk)
    versions = list(access.versions_visible_to(user, strategy).order_by("-number"))
    choices = _compare_choices(versions, owner)
    if "a" in request.GET or "b" in request.GET:
        form = CompareForm(request.GET, choices=choices)
    else:
        initial = {}
        if owner and versions:
            initial = {"a": str(versions[0].number), "b": CURRENT}
        elif len(versions) > 1:
            initial = {"a": str(versions[1].number), "b": str(versions[0].number)}
        form = CompareForm(initial, choices=choices)
    changes: list[dict[str, Any]] | None = None
    labels: dict[str, str] = {}
    if form.is_valid():
        by_number = {str(v.number): v for v in versions}
        documents: dict[str, dict[str, Any]] = {}
        for key in (form.cleaned_data["a"], form.cleaned_data["b"]):
            if key == CURRENT:
                documents[key] = snapshot.build(strategy)
                labels[key] = _("the working copy")
            else:
                documents[key] = by_number[key].snapshot
                labels[key] = _("version %(number)s") % {"number": key}
        before, after = documents[form.cleaned_data["a"]], documents[form.cleaned_data["b"]]
        uid_labels = _uid_labels(before, after)
        changes = [_describe(c, uid_labels) for c in snapshot.compare(before, after, _lang())]
    summary: dict[str, int] = defaultdict(int)
    for change in changes or []:
        summary[change["change"]] += 1
    return render(
        request,
        "strategy/versions/version_compare.html",
        {
            "strategy": strategy,
            "owner": owner,
            "header_template": header_template(owner),
            "tab": "versions",
            "form": form,
            "changes": changes,
            "summary": dict(summary),
            "label_a": labels.get(form.cleaned_data["a"], "") if changes is not None else "",
            "label_b": labels.get(form.cleaned_data["b"], "") if changes is not None else "",
            "has_versions": bool(versions),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# --------------------------------------------------------------------------- consultation comments


def _comments_page(
    request: HttpRequest,
    version: StrategyVersion,
    *,
    comment_form: CommentForm | None = None,
    bound_resolve: tuple[int, ResolveForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    strategy = version.strategy
    owner = access.is_owner_member(user, strategy)
    organisations = access.commenting_organisations(user, version)
    sections = snapshot.sections(version.snapshot, _lang())
    comments = version.comments.select_related("organisation", "author", "resolved_by")
    if not owner:
        # A consulted organisation reads its own comments and their resolution, not the others'.
        comments = comments.filter(organisation__in=list(roles_of(user)))
    can_resolve = access.can_resolve_comments(user, version) and version.status not in (
        VersionStatus.PUBLISHED,
        VersionStatus.WITHDRAWN,
    )
    by_section: dict[str, list[Comment]] = defaultdict(list)
    for comment in comments:
        if can_resolve:
            if bound_resolve is not None and bound_resolve[0] == comment.pk:
                comment.resolve_form = bound_resolve[1]  # type: ignore[attr-defined]  # shown by the template only
            else:
                comment.resolve_form = ResolveForm(  # type: ignore[attr-defined]  # shown by the template only
                    prefix=f"c{comment.pk}",
                    initial={
                        "resolution": comment.resolution if comment.resolution != Resolution.PENDING else None,
                        "note": comment.resolution_note,
                        "version": comment.version,
                    },
                )
        by_section[comment.section].append(comment)
    groups: list[dict[str, Any]] = []
    for key, label in sections:
        if key in by_section:
            groups.append({"key": key, "label": label, "comments": by_section.pop(key)})
    for key, leftover in by_section.items():
        groups.append({"key": key, "label": leftover[0].section_label, "comments": leftover})
    if comment_form is None and organisations.exists():
        comment_form = CommentForm(
            sections=sections, organisations=organisations, initial={"section": request.GET.get("section", "")}
        )
    return render(
        request,
        "strategy/versions/comments.html",
        {
            "strategy": strategy,
            "version": version,
            "owner": owner,
            "header_template": header_template(owner),
            "tab": "versions",
            "groups": groups,
            "total": sum(len(g["comments"]) for g in groups),
            "pending": sum(1 for g in groups for c in g["comments"] if c.resolution == Resolution.PENDING),
            "comment_form": comment_form,
            "can_resolve": can_resolve,
            "in_consultation": version.status == VersionStatus.CONSULTATION,
        },
        status=status,
    )


@login_required
def version_comments(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    user = _user(request)
    version = access.access_version(user, pk, number)
    if request.method != "POST":
        return _comments_page(request, version)
    organisations = access.commenting_organisations(user, version)
    sections = snapshot.sections(version.snapshot, _lang())
    form = CommentForm(request.POST, sections=sections, organisations=organisations)
    if version.status != VersionStatus.CONSULTATION:
        form.is_valid()
        form.add_error(None, _("Comments are taken only while a version is in consultation."))
        return _comments_page(request, version, comment_form=form, status=400)
    if not organisations.exists():
        raise PermissionDenied
    if not form.is_valid():
        return _comments_page(request, version, comment_form=form, status=400)
    data = form.cleaned_data
    try:
        version_actions.do_add_comment(user, version, data["organisation"], section=data["section"], text=data["text"])
    except ValidationError as exc:
        attach_errors(form, exc)
        return _comments_page(request, version, comment_form=form, status=400)
    messages.success(request, _("Your comment was recorded. Thank you."))
    return redirect("strategy:version_comments", pk=pk, number=number)


@login_required
@require_POST
def comment_resolve(request: HttpRequest, pk: int, number: int, comment_pk: int) -> HttpResponse:
    user = _user(request)
    version = access.access_version(user, pk, number)
    comment = access.access_comment_by_id(user, version, comment_pk)
    if not access.can_resolve_comments(user, version):
        raise PermissionDenied
    form = ResolveForm(request.POST, prefix=f"c{comment.pk}")
    if not form.is_valid():
        return _comments_page(request, version, bound_resolve=(comment.pk, form), status=400)
    data = form.cleaned_data
    try:
        version_actions.do_resolve_comment(
            user, comment, data["version"], resolution=data["resolution"], note=data["note"] or ""
        )
    except version_actions.PublishedVersionError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("strategy:version_comments", pk=pk, number=number)
    except actions.ConcurrentEditError as exc:
        current = cast(Comment, exc.current)
        form.add_error(
            None,
            _(
                "Someone else resolved this comment while you were writing (now: %(resolution)s). Your resolution "
                "was not saved; it is kept below. Read the other resolution, then save yours again if it still applies."
            )
            % {"resolution": current.get_resolution_display().lower()},
        )
        # The next save is checked against the version now stored, so it can go through.
        _reload_version(request, form, current.version)
        return _comments_page(request, version, bound_resolve=(comment.pk, form), status=409)
    except ValidationError as exc:
        attach_errors(form, exc)
        return _comments_page(request, version, bound_resolve=(comment.pk, form), status=400)
    messages.success(request, _("The comment's resolution was saved."))
    return redirect("strategy:version_comments", pk=pk, number=number)
