"""REST API of the capacity-building app: providers, programmes, courses, sessions, participants, attendance,
audience sizes, participant imports and coverage (read-only).

Reads go through ``cyberplan.training.access`` (organisation, role, TLP); writes through the actions. Names and
contact details of participants only for the training coordinator of their organisation.
"""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cyberplan.core.access import Permission, has_permission, organisations_where, require
from cyberplan.core.models import User
from cyberplan.training import actions, importing
from cyberplan.training.access import (
    access_attendance_by_id,
    access_course_by_id,
    access_denominator_by_id,
    access_participant_by_id,
    access_programme_by_id,
    access_provider_by_id,
    access_session_by_id,
    attendance_visible_to,
    courses_visible_to,
    coverage_visible_to,
    denominators_visible_to,
    imports_visible_to,
    is_training_coordinator,
    participants_visible_to,
    programmes_visible_to,
    providers_visible_to,
    sessions_visible_to,
)
from cyberplan.training.catalogue import shipped_topics
from cyberplan.training.models import (
    PERSONAL_FIELDS,
    Attendance,
    Course,
    Denominator,
    Participant,
    ParticipantImport,
    Programme,
    Provider,
    Session,
)

from .serializers import (
    AttendanceSerializer,
    AudienceSizeSerializer,
    CourseSerializer,
    CoverageRowSerializer,
    ImportUploadSerializer,
    ParticipantImportSerializer,
    ParticipantSerializer,
    ParticipantUpdateSerializer,
    ProgrammeSerializer,
    ProgrammeUpdateSerializer,
    ProviderSerializer,
    SessionSerializer,
)


def _user(request: Request) -> User:
    return cast(User, request.user)


def _as_drf(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})


def _editable(user: User, queryset: QuerySet[Any], field: str) -> QuerySet[Any]:
    """The records of ``queryset`` in organisations where ``user`` may edit."""
    ids = [o.pk for o in organisations_where(user, Permission.EDIT)]
    return queryset.filter(**{f"{field}__in": ids})


class ProviderViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet[Provider]
):
    """Training providers: international programmes, judicial schools, CSIRTs, universities, vendors."""

    serializer_class = ProviderSerializer
    lookup_value_regex = r"\d+"
    filterset_fields = ["organisation", "kind"]

    def get_queryset(self) -> QuerySet[Provider]:
        return providers_visible_to(_user(self.request))

    def get_object(self) -> Provider:
        return access_provider_by_id(_user(self.request), self.kwargs["pk"])

    def perform_create(self, serializer: serializers.BaseSerializer[Provider]) -> None:
        data = dict(serializer.validated_data)
        organisation = data.pop("organisation")
        require(_user(self.request), organisation.pk, Permission.EDIT)
        try:
            serializer.instance = actions.do_create_provider(_user(self.request), organisation, **data)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc


class ProgrammeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[Programme],
):
    """Training programmes. Filtered by organisation, role and TLP; their courses, sessions and attendance
    carry the programme's owner and label."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]
    serializer_class = ProgrammeSerializer
    lookup_value_regex = r"\d+"
    filterset_fields = ["organisation", "provider", "tlp"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Programme]:
        return programmes_visible_to(_user(self.request))

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Programme]]:
        if self.action == "partial_update":
            return ProgrammeUpdateSerializer
        if self.action == "import_list":
            return ImportUploadSerializer
        return ProgrammeSerializer

    def get_object(self) -> Programme:
        permission = {"partial_update": Permission.EDIT, "destroy": Permission.DELETE, "import_list": Permission.EDIT}
        return access_programme_by_id(
            _user(self.request), self.kwargs["pk"], permission.get(self.action or "", Permission.VIEW)
        )

    def perform_create(self, serializer: serializers.BaseSerializer[Programme]) -> None:
        data = dict(serializer.validated_data)
        organisation = data.pop("organisation")
        data.pop("version", None)
        require(_user(self.request), organisation.pk, Permission.EDIT)
        try:
            serializer.instance = actions.do_create_programme(_user(self.request), organisation, **data)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc

    def perform_update(self, serializer: serializers.BaseSerializer[Programme]) -> None:
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        programme = cast(Programme, serializer.instance)
        try:
            serializer.instance = actions.do_update_programme(_user(self.request), programme, version, **data)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """A stale ``version`` answers 409 with the programme as it is now."""
        try:
            return super().update(request, *args, **kwargs)
        except actions.ConcurrentEditError as exc:
            current = ProgrammeSerializer(exc.current, context=self.get_serializer_context()).data
            return Response(
                {
                    "detail": "The programme changed since you read it; read it again and reapply your change.",
                    "current": current,
                },
                status=status.HTTP_409_CONFLICT,
            )

    def perform_destroy(self, instance: Programme) -> None:
        actions.do_delete_programme(_user(self.request), instance)

    @extend_schema(request={"multipart/form-data": ImportUploadSerializer}, responses=ParticipantImportSerializer)
    @action(detail=True, methods=["post"], url_path="import")
    def import_list(self, request: Request, pk: str | None = None) -> Response:
        """Import a participant list (CSV or XLSX): 200 with the counts, or 400 with every rejected row (nothing
        written). Names are recorded only for the training coordinator."""
        programme = self.get_object()
        body = ImportUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        if upload.size is not None and upload.size > importing.max_bytes():
            raise serializers.ValidationError({"file": ["The file is larger than the limit for a participant list."]})
        try:
            outcome = actions.do_import_participants(
                _user(request),
                programme,
                upload.name or "upload",
                upload.read(),
                with_names=is_training_coordinator(_user(request), programme.organisation_id),
            )
        except importing.ListFileError as exc:
            raise serializers.ValidationError({"file": [str(exc)]}) from exc
        data = ParticipantImportSerializer(outcome.record).data
        return Response(data, status=status.HTTP_200_OK if outcome.ok else status.HTTP_400_BAD_REQUEST)


class ParticipantImportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[ParticipantImport]
):
    """Participant imports, applied or rejected, with every rejected row and its reason."""

    serializer_class = ParticipantImportSerializer
    lookup_value_regex = r"\d+"
    filterset_fields = ["programme", "status"]

    def get_queryset(self) -> QuerySet[ParticipantImport]:
        return imports_visible_to(_user(self.request))


class CourseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Course],
):
    """Courses of the programmes the user sees, with their topics (keys of the topic catalogue)."""

    serializer_class = CourseSerializer
    lookup_value_regex = r"\d+"
    filterset_fields = ["programme", "level", "delivery", "language"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Course]:
        return courses_visible_to(_user(self.request))

    def get_serializer(self, *args: Any, **kwargs: Any) -> serializers.BaseSerializer[Course]:
        user = _user(self.request)
        kwargs.setdefault("context", self.get_serializer_context())
        return CourseSerializer(
            *args, programmes=_editable(user, programmes_visible_to(user), "organisation"), **kwargs
        )

    def get_object(self) -> Course:
        permission = Permission.EDIT if self.action == "partial_update" else Permission.VIEW
        return access_course_by_id(_user(self.request), self.kwargs["pk"], permission)

    def perform_create(self, serializer: serializers.BaseSerializer[Course]) -> None:
        data = dict(serializer.validated_data)
        programme = data.pop("programme")
        try:
            serializer.instance = actions.do_create_course(_user(self.request), programme, **data)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc

    def perform_update(self, serializer: serializers.BaseSerializer[Course]) -> None:
        data = dict(serializer.validated_data)
        data.pop("programme", None)
        try:
            serializer.instance = actions.do_update_course(
                _user(self.request), cast(Course, serializer.instance), **data
            )
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc


class SessionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Session],
):
    """Sessions of the courses the user sees: dates, place and trainers."""

    serializer_class = SessionSerializer
    lookup_value_regex = r"\d+"
    filterset_fields = ["course"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Session]:
        return sessions_visible_to(_user(self.request))

    def get_serializer(self, *args: Any, **kwargs: Any) -> serializers.BaseSerializer[Session]:
        user = _user(self.request)
        kwargs.setdefault("context", self.get_serializer_context())
        return SessionSerializer(
            *args, courses=_editable(user, courses_visible_to(user), "programme__organisation"), **kwargs
        )

    def get_object(self) -> Session:
        permission = Permission.EDIT if self.action == "partial_update" else Permission.VIEW
        return access_session_by_id(_user(self.request), self.kwargs["pk"], permission)

    def perform_create(self, serializer: serializers.BaseSerializer[Session]) -> None:
        data = dict(serializer.validated_data)
        course = data.pop("course")
        try:
            serializer.instance = actions.do_create_session(_user(self.request), course, **data)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc

    def perform_update(self, serializer: serializers.BaseSerializer[Session]) -> None:
        data = dict(serializer.validated_data)
        data.pop("course", None)
        try:
            serializer.instance = actions.do_update_session(
                _user(self.request), cast(Session, serializer.instance), **data
            )
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc


class ParticipantViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Participant],
):
    """Pseudonymous participants. ``name``, ``email`` and ``phone`` are shown, and accepted, only for the
    training coordinator (coordinator or administrator) of the participant's organisation."""

    serializer_class = ParticipantSerializer
    lookup_value_regex = r"\d+"
    filterset_fields = ["organisation", "audience", "key"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Participant]:
        return participants_visible_to(_user(self.request))

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Participant]]:
        return ParticipantUpdateSerializer if self.action == "partial_update" else ParticipantSerializer

    def get_object(self) -> Participant:
        permission = Permission.EDIT if self.action == "partial_update" else Permission.VIEW
        return access_participant_by_id(_user(self.request), self.kwargs["pk"], permission)

    def _names(self, organisation_id: int, data: dict[str, Any]) -> bool:
        with_names = is_training_coordinator(_user(self.request), organisation_id)
        if not with_names and any(data.get(name) for name in PERSONAL_FIELDS):
            raise PermissionDenied("Only the training coordinator records names and contact details.")
        if not with_names:
            for name in PERSONAL_FIELDS:
                data.pop(name, None)
        return with_names

    def perform_create(self, serializer: serializers.BaseSerializer[Participant]) -> None:
        data = dict(serializer.validated_data)
        organisation = data.pop("organisation")
        require(_user(self.request), organisation.pk, Permission.EDIT)
        with_names = self._names(organisation.pk, data)
        try:
            serializer.instance = actions.do_create_participant(
                _user(self.request), organisation, with_names=with_names, **data
            )
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc

    def perform_update(self, serializer: serializers.BaseSerializer[Participant]) -> None:
        participant = cast(Participant, serializer.instance)
        data = dict(serializer.validated_data)
        with_names = self._names(participant.organisation_id, data)
        try:
            serializer.instance = actions.do_update_participant(
                _user(self.request), participant, with_names=with_names, **data
            )
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc


class AttendanceViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet[Attendance]
):
    """Attendance of participants in sessions. Posting the same session and participant key again changes it."""

    serializer_class = AttendanceSerializer
    lookup_value_regex = r"\d+"
    filterset_fields = ["session", "participant", "completed"]

    def get_queryset(self) -> QuerySet[Attendance]:
        return attendance_visible_to(_user(self.request))

    def get_serializer(self, *args: Any, **kwargs: Any) -> serializers.BaseSerializer[Attendance]:
        user = _user(self.request)
        kwargs.setdefault("context", self.get_serializer_context())
        editable = _editable(user, sessions_visible_to(user), "course__programme__organisation")
        return AttendanceSerializer(*args, sessions=editable, **kwargs)

    def get_object(self) -> Attendance:
        return access_attendance_by_id(_user(self.request), self.kwargs["pk"])

    def perform_create(self, serializer: serializers.BaseSerializer[Attendance]) -> None:
        data = dict(serializer.validated_data)
        session = data["session"]
        key = data["participant"]["key"].strip()
        participant = Participant.objects.filter(
            organisation_id=session.course.programme.organisation_id, key=key
        ).first()
        if participant is None:
            raise serializers.ValidationError({"participant_key": ["No participant of the organisation has this key."]})
        try:
            serializer.instance, _changed = actions.do_record_attendance(
                _user(self.request),
                session,
                participant,
                attended=data.get("attended", True),
                completed=data.get("completed", False),
                score=data.get("score"),
            )
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc


class AudienceSizeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[Denominator],
):
    """The size of each audience per institution and year. Posting the same audience, institution and year
    again replaces the size."""

    serializer_class = AudienceSizeSerializer
    lookup_value_regex = r"\d+"
    filterset_fields = ["organisation", "audience", "year"]

    def get_queryset(self) -> QuerySet[Denominator]:
        return denominators_visible_to(_user(self.request))

    def get_object(self) -> Denominator:
        permission = Permission.DELETE if self.action == "destroy" else Permission.VIEW
        return access_denominator_by_id(_user(self.request), self.kwargs["pk"], permission)

    def perform_create(self, serializer: serializers.BaseSerializer[Denominator]) -> None:
        data = dict(serializer.validated_data)
        organisation = data.pop("organisation")
        require(_user(self.request), organisation.pk, Permission.EDIT)
        try:
            serializer.instance, _created = actions.do_set_denominator(_user(self.request), organisation, **data)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc

    def perform_destroy(self, instance: Denominator) -> None:
        actions.do_delete_denominator(_user(self.request), instance)


class CoverageView(APIView):
    """Coverage of one organisation's training: national and per-institution rows by audience, topic and year."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "organisation", int, description="The owner organisation (default: your first organisation)."
            ),
            OpenApiParameter("topic", str, description="A topic key; leave out for every topic and 'any'."),
            OpenApiParameter("audience", str, description="One audience; leave out for every audience."),
            OpenApiParameter("national", bool, description="Only the national rows."),
        ],
        responses=CoverageRowSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        """Each person counted once; a share is null when there is no audience size (never 0 %)."""
        user = _user(request)
        raw = request.query_params.get("organisation", "")
        if not raw:
            first = organisations_where(user, Permission.VIEW).order_by("pk").first()
            if first is None:
                return Response([])
            raw = str(first.pk)
        if not raw.isdigit():
            raise serializers.ValidationError({"organisation": ["Give the id of an organisation."]})
        if not has_permission(user, int(raw), Permission.VIEW):
            raise NotFound
        topic = request.query_params.get("topic") or None
        if topic is not None and topic not in shipped_topics().by_key:
            raise serializers.ValidationError({"topic": [f"Unknown topic {topic!r}."]})
        table = coverage_visible_to(user, int(raw), [topic] if topic else None)
        audience = request.query_params.get("audience") or None
        national = request.query_params.get("national", "").lower() in ("1", "true", "yes")
        rows = [
            r
            for r in table.rows
            if (topic is None or r.topic == topic)
            and (audience is None or r.audience == audience)
            and (not national or r.is_national)
        ]
        data = [
            {
                "audience": r.audience,
                "topic": r.topic,
                "year": r.year,
                "institution": r.institution,
                "trained": r.trained,
                "attended_only": r.attended_only,
                "cumulative_trained": r.cumulative_trained,
                "denominator": r.denominator,
                "share": r.share,
                "cumulative_share": r.cumulative_share,
                "institutions_without_size": r.institutions_without_size,
            }
            for r in rows
        ]
        return Response(CoverageRowSerializer(data, many=True).data)
