"""Web pages of the capacity-building app. Thin: read through access.py, write through actions.py.

Names and contact details of participants reach a page only through ``access.shows_names`` (the training
coordinator); every other reader sees the pseudonymous record.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cyberplan.core.access import Permission, has_permission, organisations_where, require
from cyberplan.core.csvsafe import safe_cell
from cyberplan.core.forms import attach_errors
from cyberplan.core.models import Organisation, User
from cyberplan.jobs.actions import do_start_job

from . import actions, importing
from .access import (
    access_course_by_id,
    access_denominator_by_id,
    access_import_by_id,
    access_participant_by_id,
    access_programme_by_id,
    access_session_by_id,
    attendance_visible_to,
    coordinated_organisation_ids,
    coverage_visible_to,
    denominators_visible_to,
    imports_visible_to,
    is_training_coordinator,
    participants_visible_to,
    programmes_visible_to,
    providers_visible_to,
    shows_names,
)
from .catalogue import shipped_topics
from .charts import coverage_chart
from .choices import Audience
from .forms import (
    AttendanceForm,
    CourseForm,
    CoverageFilterForm,
    DenominatorForm,
    ImportForm,
    NamedExportForm,
    ParticipantForm,
    ProgrammeForm,
    ProviderForm,
    RetentionForm,
    SessionForm,
)
from .jobs import ERASE_NAMES
from .models import Participant, retention_days
from .participants import PSEUDONYMOUS_COLUMNS, export_rows


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _form_page(
    request: HttpRequest, form: Any, title: str, cancel: str, status: int = 200, intro: str = ""
) -> HttpResponse:
    return render(
        request,
        "training/form.html",
        {"form": form, "title": title, "cancel": cancel, "intro": intro},
        status=status,
    )


def _saved_or_form(
    request: HttpRequest,
    form: Any,
    save: Callable[[dict[str, Any]], Any],
    done: Callable[[Any], HttpResponse],
    title: str,
    cancel: str = "training:programme_list",
) -> HttpResponse:
    """The edit-form flow of every page here: on a valid POST, ``save`` the cleaned data through an action and
    answer ``done(result)``; otherwise (or when the action refuses the values) the form again, with its errors."""
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            return done(result)
    return _form_page(request, form, title, cancel, 400 if form.errors else 200)


def _confirm_delete(
    request: HttpRequest,
    *,
    title: str,
    name: str,
    consequences: list[str],
    delete: Callable[[], None],
    deleted: str,
    after: str,
    cancel_url: str,
) -> HttpResponse:
    """Ask before a deletion (GET), and delete on POST: what goes with the record is named on the page."""
    if request.method == "POST":
        delete()
        messages.success(request, deleted)
        return redirect(after)
    return render(
        request,
        "training/confirm_delete.html",
        {"title": title, "name": name, "consequences": consequences, "cancel_url": cancel_url},
    )


def _topic_titles() -> dict[str, str]:
    language = get_language() or "en"
    return {t.key: t.title.get(language) for t in shipped_topics().topics}


# --------------------------------------------------------------------------- programmes and providers


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    programmes = (
        programmes_visible_to(user)
        .annotate(course_count=Count("courses", distinct=True))
        .order_by("-start_date", "title", "id")
    )
    page = Paginator(programmes, 50).get_page(request.GET.get("page"))
    can_edit = organisations_where(user, Permission.EDIT).exists()
    return render(request, "training/programme_list.html", {"page": page, "can_edit": can_edit})


@login_required
def provider_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    organisations = organisations_where(user, Permission.EDIT)
    form = ProviderForm(request.POST or None, organisations=organisations) if organisations.exists() else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            organisation = form.cleaned_data["organisation"]
            require(user, organisation.pk, Permission.EDIT)
            values = {k: form.cleaned_data[k] for k in ("name", "kind", "website")}
            try:
                actions.do_create_provider(user, organisation, **values)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, _("Provider added."))
                return redirect("training:provider_list")
    providers = providers_visible_to(user).annotate(programme_count=Count("programmes")).order_by("name", "id")
    status = 400 if form is not None and form.errors else 200
    return render(request, "training/provider_list.html", {"providers": providers, "form": form}, status=status)


@login_required
def programme_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    organisations = organisations_where(user, Permission.EDIT)
    if not organisations.exists():
        raise PermissionDenied
    providers = providers_visible_to(user).filter(organisation__in=organisations)
    form = ProgrammeForm(request.POST or None, organisations=organisations, providers=providers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        require(user, data["organisation"].pk, Permission.EDIT)
        values = {k: data[k] for k in ("provider", "title", "description", "start_date", "end_date", "tlp")}
        try:
            programme = actions.do_create_programme(user, data["organisation"], **values)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            return redirect("training:programme_detail", programme.pk)
    status = 400 if form.errors else 200
    if not providers.exists():
        messages.info(request, _("Add the provider of the programme first."))
    return _form_page(request, form, _("New programme"), "training:programme_list", status)


@login_required
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    programme = access_programme_by_id(user, pk)
    courses = programme.courses.annotate(session_count=Count("sessions", distinct=True)).order_by("title", "id")
    titles = _topic_titles()
    course_rows = [(c, [titles.get(t, t) for t in c.topics]) for c in courses]
    can_edit = has_permission(user, programme.organisation_id, Permission.EDIT)
    return render(
        request,
        "training/programme_detail.html",
        {
            "programme": programme,
            "course_rows": course_rows,
            "imports": imports_visible_to(user).filter(programme=programme)[:20],
            "can_edit": can_edit,
            "can_delete": has_permission(user, programme.organisation_id, Permission.DELETE),
            "import_form": ImportForm() if can_edit else None,
        },
    )


@login_required
def programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    programme = access_programme_by_id(user, pk, Permission.EDIT)
    providers = providers_visible_to(user).filter(organisation_id=programme.organisation_id)
    form = ProgrammeForm(request.POST or None, instance=programme, providers=providers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {k: data[k] for k in ("provider", "title", "description", "start_date", "end_date", "tlp")}
        try:
            actions.do_update_programme(user, programme, data.get("version"), **values)
        except actions.ConcurrentEditError:
            form.add_error(None, _("Someone else changed this programme meanwhile; reload the page to see it."))
            return _form_page(request, form, _("Edit programme"), "training:programme_list", 409)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            return redirect("training:programme_detail", programme.pk)
    return _form_page(request, form, _("Edit programme"), "training:programme_list", 400 if form.errors else 200)


@login_required
def programme_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    programme = access_programme_by_id(user, pk, Permission.DELETE)
    courses = programme.courses.count()
    records = attendance_visible_to(user).filter(session__course__programme=programme).count()
    return _confirm_delete(
        request,
        title=_("Delete programme"),
        name=programme.title,
        consequences=[
            ngettext("%(count)d course with its sessions", "%(count)d courses with their sessions", courses)
            % {"count": courses},
            ngettext("%(count)d attendance record", "%(count)d attendance records", records) % {"count": records},
        ],
        delete=lambda: actions.do_delete_programme(user, programme),
        deleted=_("Programme deleted."),
        after=reverse("training:programme_list"),
        cancel_url=reverse("training:programme_detail", args=[programme.pk]),
    )


# --------------------------------------------------------------------------- courses and sessions


@login_required
def course_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    programme = access_programme_by_id(user, pk, Permission.EDIT)
    form = CourseForm(request.POST or None)
    return _saved_or_form(
        request,
        form,
        lambda data: actions.do_create_course(user, programme, **{k: data[k] for k in CourseForm.Meta.fields}),
        lambda course: redirect("training:course_detail", course.pk),
        _("New course"),
    )


@login_required
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    course = access_course_by_id(user, pk)
    sessions = course.sessions.order_by("start_date", "id").annotate(
        people=Count("attendance", distinct=True),
        completed_count=Count("attendance", filter=Q(attendance__completed=True), distinct=True),
    )
    titles = _topic_titles()
    return render(
        request,
        "training/course_detail.html",
        {
            "course": course,
            "topics": [(t, titles.get(t, t)) for t in course.topics],
            "sessions": sessions,
            "can_edit": has_permission(user, course.programme.organisation_id, Permission.EDIT),
            "can_delete": has_permission(user, course.programme.organisation_id, Permission.DELETE),
        },
    )


@login_required
def course_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    course = access_course_by_id(user, pk, Permission.EDIT)
    form = CourseForm(request.POST or None, instance=course)
    return _saved_or_form(
        request,
        form,
        lambda data: actions.do_update_course(user, course, **{k: data[k] for k in CourseForm.Meta.fields}),
        lambda _course: redirect("training:course_detail", course.pk),
        _("Edit course"),
    )


@login_required
def course_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    course = access_course_by_id(user, pk, Permission.DELETE)
    sessions = course.sessions.count()
    records = attendance_visible_to(user).filter(session__course=course).count()
    return _confirm_delete(
        request,
        title=_("Delete course"),
        name=course.title,
        consequences=[
            ngettext("%(count)d session", "%(count)d sessions", sessions) % {"count": sessions},
            ngettext("%(count)d attendance record", "%(count)d attendance records", records) % {"count": records},
        ],
        delete=lambda: actions.do_delete_course(user, course),
        deleted=_("Course deleted."),
        after=reverse("training:programme_detail", args=[course.programme_id]),
        cancel_url=reverse("training:course_detail", args=[course.pk]),
    )


@login_required
def session_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    course = access_course_by_id(user, pk, Permission.EDIT)
    form = SessionForm(request.POST or None)
    return _saved_or_form(
        request,
        form,
        lambda data: actions.do_create_session(user, course, **{k: data[k] for k in SessionForm.Meta.fields}),
        lambda session: redirect("training:session_detail", session.pk),
        _("New session"),
    )


@login_required
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    session = access_session_by_id(user, pk, Permission.EDIT)
    form = SessionForm(request.POST or None, instance=session)
    return _saved_or_form(
        request,
        form,
        lambda data: actions.do_update_session(user, session, **{k: data[k] for k in SessionForm.Meta.fields}),
        lambda _session: redirect("training:session_detail", session.pk),
        _("Edit session"),
    )


@login_required
def session_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    session = access_session_by_id(user, pk, Permission.DELETE)
    records = attendance_visible_to(user).filter(session=session).count()
    return _confirm_delete(
        request,
        title=_("Delete session"),
        name=f"{session.course.title} · {date_format(session.start_date)}",
        consequences=[
            ngettext("%(count)d attendance record", "%(count)d attendance records", records) % {"count": records}
        ],
        delete=lambda: actions.do_delete_session(user, session),
        deleted=_("Session deleted."),
        after=reverse("training:course_detail", args=[session.course_id]),
        cancel_url=reverse("training:session_detail", args=[session.pk]),
    )


@login_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    session = access_session_by_id(user, pk)
    organisation_id = session.course.programme.organisation_id
    can_edit = has_permission(user, organisation_id, Permission.EDIT)
    form = AttendanceForm(request.POST or None) if can_edit else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            participant = Participant.objects.filter(
                organisation_id=organisation_id, key=data["participant"].strip()
            ).first()
            if participant is None:
                form.add_error("participant", _("Your organisation has no participant with this key; add them first."))
            else:
                try:
                    actions.do_record_attendance(
                        user,
                        session,
                        participant,
                        attended=data["attended"],
                        completed=data["completed"],
                        score=data["score"],
                    )
                except ValidationError as exc:
                    attach_errors(form, exc)
                else:
                    messages.success(request, _("Attendance recorded."))
                    return redirect("training:session_detail", session.pk)
    attendance = attendance_visible_to(user).filter(session=session).order_by("participant__key")
    return render(
        request,
        "training/session_detail.html",
        {
            "session": session,
            "attendance": attendance,
            "names": is_training_coordinator(user, organisation_id),
            "form": form,
            "can_edit": can_edit,
            "can_delete": has_permission(user, organisation_id, Permission.DELETE),
        },
        status=400 if form is not None and form.errors else 200,
    )


# --------------------------------------------------------------------------- participants


@login_required
def participant_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    participants = (
        participants_visible_to(user)
        .annotate(
            sessions=Count("attendance", distinct=True),
            completions=Count("attendance", filter=Q(attendance__completed=True), distinct=True),
        )
        .order_by("organisation__name", "key")
    )
    audience = request.GET.get("audience", "")
    if audience in Audience.values:
        participants = participants.filter(audience=audience)
    page = Paginator(participants, 100).get_page(request.GET.get("page"))
    coordinated = set(coordinated_organisation_ids(user))
    rows = [(p, p.organisation_id in coordinated) for p in page]
    return render(
        request,
        "training/participant_list.html",
        {
            "page": page,
            "rows": rows,
            "audiences": Audience.choices,
            "audience": audience,
            "names": bool(coordinated),
            "can_edit": organisations_where(user, Permission.EDIT).exists(),
        },
    )


@login_required
def participant_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    organisations = organisations_where(user, Permission.EDIT)
    if not organisations.exists():
        raise PermissionDenied
    coordinated = coordinated_organisation_ids(user)
    form = ParticipantForm(request.POST or None, organisations=organisations, with_names=bool(coordinated))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organisation = data.pop("organisation")
        require(user, organisation.pk, Permission.EDIT)
        with_names = organisation.pk in coordinated
        if not with_names:
            for name in ("name", "email", "phone"):
                data.pop(name, None)
        try:
            participant = actions.do_create_participant(user, organisation, with_names=with_names, **data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            return redirect("training:participant_detail", participant.pk)
    return _form_page(request, form, _("New participant"), "training:participant_list", 400 if form.errors else 200)


@login_required
def participant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    participant = access_participant_by_id(user, pk)
    attendance = attendance_visible_to(user).filter(participant=participant).order_by("-session__start_date")
    return render(
        request,
        "training/participant_detail.html",
        {
            "participant": participant,
            "attendance": attendance,
            "names": shows_names(user, participant),
            "can_edit": has_permission(user, participant.organisation_id, Permission.EDIT),
            "can_delete": has_permission(user, participant.organisation_id, Permission.DELETE),
        },
    )


@login_required
def participant_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    participant = access_participant_by_id(user, pk, Permission.EDIT)
    with_names = shows_names(user, participant)
    form = ParticipantForm(request.POST or None, instance=participant, with_names=with_names)
    return _saved_or_form(
        request,
        form,
        lambda data: actions.do_update_participant(
            user, participant, with_names=with_names, **{k: data[k] for k in form.fields}
        ),
        lambda _participant: redirect("training:participant_detail", participant.pk),
        _("Edit participant"),
        "training:participant_list",
    )


@login_required
def participant_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    participant = access_participant_by_id(user, pk, Permission.DELETE)
    records = attendance_visible_to(user).filter(participant=participant).count()
    return _confirm_delete(
        request,
        title=_("Delete participant"),
        name=participant.key,
        consequences=[
            ngettext("%(count)d attendance record", "%(count)d attendance records", records) % {"count": records}
        ],
        delete=lambda: actions.do_delete_participant(user, participant),
        deleted=_("Participant deleted."),
        after=reverse("training:participant_list"),
        cancel_url=reverse("training:participant_detail", args=[participant.pk]),
    )


@login_required
@require_POST
def participant_erase_names(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    participant = access_participant_by_id(user, pk)
    if not shows_names(user, participant):
        raise PermissionDenied
    actions.do_erase_participant_names(user, participant)
    messages.success(request, _("The name and contact details were erased; the attendance is kept."))
    return redirect("training:participant_detail", participant.pk)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_response(rows: Iterator[list[str]], file_name: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow([safe_cell(c) for c in row]) for row in rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


@login_required
def participant_export(request: HttpRequest) -> HttpResponseBase:
    """The participants the user sees, as CSV, without names or contact details (pseudonymous)."""
    user = _user(request)
    participants = participants_visible_to(user).order_by("organisation__name", "key")
    return _csv_response(export_rows(participants, with_names=False), "participants.csv")


@login_required
def participant_export_named(request: HttpRequest) -> HttpResponseBase:
    """The coordinator's export with names: asked for explicitly, with a purpose, and written to the audit log."""
    user = _user(request)
    organisations = Organisation.objects.filter(pk__in=coordinated_organisation_ids(user))
    if not organisations.exists():
        raise PermissionDenied
    form = NamedExportForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        organisation = form.cleaned_data["organisation"]
        if not is_training_coordinator(user, organisation.pk):
            raise PermissionDenied
        participants = Participant.objects.filter(organisation=organisation).order_by("key")
        actions.do_record_named_export(user, organisation, form.cleaned_data["purpose"], participants.count())
        stamp = timezone.localdate().isoformat()
        return _csv_response(export_rows(participants, with_names=True), f"participants-with-names-{stamp}.csv")
    return _form_page(
        request,
        form,
        _("Export participants with names"),
        "training:participant_list",
        400 if form.errors else 200,
        intro=_(
            "Names and contact details leave the platform only this way. The export is recorded in the audit "
            "log with your name, the date, the purpose and the number of participants."
        ),
    )


# --------------------------------------------------------------------------- import


@login_required
@require_POST
def programme_import(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    programme = access_programme_by_id(user, pk, Permission.EDIT)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.errors.get("file", []):
            messages.error(request, str(error))
        return redirect("training:programme_detail", programme.pk)
    upload = form.cleaned_data["file"]
    try:
        outcome = actions.do_import_participants(
            user,
            programme,
            upload.name or "upload",
            upload.read(),
            with_names=is_training_coordinator(user, programme.organisation_id),
        )
    except importing.ListFileError as exc:
        messages.error(request, str(exc))
        return redirect("training:programme_detail", programme.pk)
    return redirect("training:import_detail", outcome.record.pk)


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = access_import_by_id(_user(request), pk)
    problems = [
        (importing.RowProblem(p["row"], p["column"], p["message"], p.get("cells", {})).text(record.file_name), p)
        for p in record.problems
    ]
    return render(request, "training/import_detail.html", {"record": record, "problems": problems})


@login_required
def import_rejects(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The rejected rows of an import with their reason, as CSV, to correct and send again."""
    record = access_import_by_id(_user(request), pk)

    def rows() -> Iterator[list[str]]:
        yield ["row", "column", "reason", *importing.COLUMNS]
        for p in record.problems:
            cells = p.get("cells", {})
            yield [str(p["row"]), p["column"], p["message"], *[cells.get(c, "") for c in importing.COLUMNS]]

    return _csv_response(rows(), f"rejected-rows-{record.pk}.csv")


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(importing.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="participant-list-template.csv"'
    return response


# --------------------------------------------------------------------------- audience sizes


@login_required
def denominator_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    organisations = organisations_where(user, Permission.EDIT)
    form = DenominatorForm(request.POST or None, organisations=organisations) if organisations.exists() else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            require(user, data["organisation"].pk, Permission.EDIT)
            try:
                actions.do_set_denominator(
                    user,
                    data["organisation"],
                    audience=data["audience"],
                    year=data["year"],
                    institution=data["institution"],
                    size=data["size"],
                    source_note=data["source_note"],
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, _("Audience size recorded."))
                return redirect("training:denominator_list")
    return render(
        request,
        "training/denominator_list.html",
        {"denominators": denominators_visible_to(user), "form": form},
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@require_POST
def denominator_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    denominator = access_denominator_by_id(user, pk, Permission.DELETE)
    actions.do_delete_denominator(user, denominator)
    messages.success(request, _("Audience size deleted."))
    return redirect("training:denominator_list")


# --------------------------------------------------------------------------- coverage


@login_required
def coverage(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    organisations = organisations_where(user, Permission.VIEW)
    form = CoverageFilterForm(request.GET or None, organisations=organisations)
    organisation = organisations.first()
    topic: str | None = None
    audience = ""
    if form.is_valid():
        organisation = form.cleaned_data["organisation"] or organisation
        topic = form.cleaned_data["topic"] or None
        audience = form.cleaned_data["audience"]
    titles = _topic_titles()
    context: dict[str, Any] = {"form": form, "organisation": organisation, "topic": topic, "audience": audience}
    if organisation is not None:
        table = coverage_visible_to(user, organisation.pk, [topic] if topic else None)
        audiences = [audience] if audience else None
        rows = [r for r in table.national(topic) if audiences is None or r.audience in audiences]
        context.update(
            {
                "table": table,
                "rows": rows,
                "institution_rows": [
                    r
                    for r in table.rows
                    if not r.is_national and r.topic == topic and (audiences is None or r.audience in audiences)
                ],
                "topic_title": titles.get(topic, _("Any topic")) if topic else _("Any topic"),
                "chart": coverage_chart(
                    table, topic, titles.get(topic, _("Any topic")) if topic else _("Any topic"), audiences
                ),
            }
        )
    return render(request, "training/coverage.html", context)


# --------------------------------------------------------------------------- retention


@login_required
def retention(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    organisations = list(Organisation.objects.filter(pk__in=coordinated_organisation_ids(user)).order_by("name"))
    if not organisations:
        raise PermissionDenied
    chosen = organisations[0]
    wanted = request.POST.get("organisation") or request.GET.get("organisation")
    if wanted:
        chosen = next((o for o in organisations if str(o.pk) == wanted), None) or chosen
        if str(chosen.pk) != wanted:
            raise PermissionDenied
    form = RetentionForm(
        request.POST if request.method == "POST" and "days" in request.POST else None,
        initial={"days": retention_days(chosen.pk)},
    )
    if request.method == "POST":
        if "erase" in request.POST:
            job = do_start_job(user, chosen, ERASE_NAMES, {"organisation": chosen.pk})
            messages.success(request, _("The worker is erasing names past the retention period."))
            return redirect("jobs:job_detail", job.pk)
        if form.is_valid():
            actions.do_set_retention(user, chosen, form.cleaned_data["days"])
            messages.success(request, _("Retention period saved."))
            return redirect(f"{request.path}?organisation={chosen.pk}")
    with_names = Participant.objects.filter(organisation=chosen).filter(~Q(name="") | ~Q(email="") | ~Q(phone=""))
    return render(
        request,
        "training/retention.html",
        {
            "organisations": organisations,
            "chosen": chosen,
            "form": form,
            "with_names": with_names.count(),
            "erased": Participant.objects.filter(organisation=chosen, names_erased_at__isnull=False).count(),
            "expired": len(actions.expired_participants(chosen.pk, timezone.localdate())),
            "pseudonymous_columns": PSEUDONYMOUS_COLUMNS,
        },
        status=400 if form.errors else 200,
    )
