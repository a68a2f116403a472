"""Serializers of the capacity-building API. A participant's name and contact details are in the output only
for the training coordinator of the participant's organisation (``access.shows_names``)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from cyberplan.core.access import Permission, organisations_where
from cyberplan.core.api.fields import limit_related
from cyberplan.core.models import Organisation, User
from cyberplan.training.access import providers_visible_to, shows_names
from cyberplan.training.catalogue import shipped_topics
from cyberplan.training.choices import Audience
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


def _request_user(serializer: serializers.BaseSerializer[Any]) -> User | None:
    request = serializer.context.get("request")
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _limit_owner(serializer: serializers.ModelSerializer[Any]) -> None:
    """Accept as owner only the organisations where the caller may edit."""
    user = _request_user(serializer)
    field = serializer.fields.get("organisation")
    if user is not None and field is not None and not field.read_only:
        limit_related(serializer, "organisation", organisations_where(user, Permission.EDIT))


class ProviderSerializer(serializers.ModelSerializer[Provider]):
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.none())

    class Meta:
        model = Provider
        fields = ["id", "organisation", "name", "kind", "website"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit_owner(self)


class ProgrammeSerializer(serializers.ModelSerializer[Programme]):
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.none())

    provider = serializers.PrimaryKeyRelatedField(queryset=Provider.objects.none())
    version = serializers.IntegerField(required=False)

    class Meta:
        model = Programme
        fields = [
            "id",
            "organisation",
            "provider",
            "title",
            "description",
            "start_date",
            "end_date",
            "tlp",
            "illustrative",
            "version",
        ]
        read_only_fields = ["illustrative"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit_owner(self)
        user = _request_user(self)
        if user is not None:
            limit_related(self, "provider", providers_visible_to(user))


class ProgrammeUpdateSerializer(ProgrammeSerializer):
    organisation = serializers.PrimaryKeyRelatedField(read_only=True)  # the owner does not change


class CourseSerializer(serializers.ModelSerializer[Course]):
    programme = serializers.PrimaryKeyRelatedField(queryset=Programme.objects.none())
    topics = serializers.ListField(child=serializers.ChoiceField(choices=()), required=False)

    class Meta:
        model = Course
        fields = ["id", "programme", "title", "topics", "level", "hours", "language", "delivery", "description"]

    def __init__(self, *args: Any, programmes: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        child = self.fields["topics"].child  # type: ignore[attr-defined]  # a ListField's child field
        child.choices = shipped_topics().keys()
        if programmes is not None:
            limit_related(self, "programme", programmes)


class SessionSerializer(serializers.ModelSerializer[Session]):
    course = serializers.PrimaryKeyRelatedField(queryset=Course.objects.none())
    year = serializers.IntegerField(read_only=True)

    class Meta:
        model = Session
        fields = ["id", "course", "start_date", "end_date", "place", "trainers", "year"]

    def __init__(self, *args: Any, courses: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if courses is not None:
            limit_related(self, "course", courses)


class ParticipantSerializer(serializers.ModelSerializer[Participant]):
    """The pseudonymous record; ``name``, ``email`` and ``phone`` appear (and may be written) only for the
    training coordinator of the participant's organisation."""

    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.none())

    class Meta:
        model = Participant
        fields = [
            "id",
            "organisation",
            "key",
            "institution",
            "audience",
            "position",
            "name",
            "email",
            "phone",
            "names_erased_at",
        ]
        read_only_fields = ["names_erased_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit_owner(self)

    def to_representation(self, instance: Participant) -> dict[str, Any]:
        data = super().to_representation(instance)
        user = _request_user(self)
        if user is None or not shows_names(user, instance):
            for name in PERSONAL_FIELDS:
                data.pop(name, None)
        return data


class ParticipantUpdateSerializer(ParticipantSerializer):
    organisation = serializers.PrimaryKeyRelatedField(read_only=True)  # the owner does not change


class AttendanceSerializer(serializers.ModelSerializer[Attendance]):
    session = serializers.PrimaryKeyRelatedField(queryset=Session.objects.none())
    participant_key = serializers.CharField(source="participant.key", max_length=80)

    class Meta:
        model = Attendance
        fields = ["id", "session", "participant", "participant_key", "attended", "completed", "score"]
        read_only_fields = ["participant"]

    def __init__(self, *args: Any, sessions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if sessions is not None:
            limit_related(self, "session", sessions)


class AudienceSizeSerializer(serializers.ModelSerializer[Denominator]):
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.none())

    class Meta:
        model = Denominator
        fields = ["id", "organisation", "audience", "year", "institution", "size", "source_note"]
        validators: list[Any] = []  # a second size for the same audience, institution and year replaces the first

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit_owner(self)


class ImportUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(help_text="A participant list, CSV or XLSX (docs/how-to/training.md).")


class ImportProblemSerializer(serializers.Serializer[Any]):
    row = serializers.IntegerField()
    column = serializers.CharField()
    message = serializers.CharField()
    cells = serializers.DictField(child=serializers.CharField())


class ParticipantImportSerializer(serializers.ModelSerializer[ParticipantImport]):
    problems = ImportProblemSerializer(many=True, read_only=True)
    counts = serializers.DictField(child=serializers.IntegerField(), read_only=True)

    class Meta:
        model = ParticipantImport
        fields = [
            "id",
            "programme",
            "file_name",
            "file_sha256",
            "status",
            "rows",
            "counts",
            "problems",
            "names_ignored",
            "created_at",
        ]
        read_only_fields = fields


class CoverageRowSerializer(serializers.Serializer[Any]):
    audience = serializers.ChoiceField(choices=Audience.choices)
    topic = serializers.CharField(allow_null=True, help_text="A topic key; null: any topic.")
    year = serializers.IntegerField()
    institution = serializers.CharField(help_text="Empty for the national row.")
    trained = serializers.IntegerField(help_text="Completed a course on the topic that year, each person once.")
    attended_only = serializers.IntegerField(help_text="Attended that year but completed none.")
    cumulative_trained = serializers.IntegerField(help_text="Trained that year or earlier, each person once.")
    denominator = serializers.IntegerField(allow_null=True, help_text="The audience's size that year; null: none.")
    share = serializers.FloatField(allow_null=True, help_text="trained / denominator; null without a denominator.")
    cumulative_share = serializers.FloatField(allow_null=True)
    institutions_without_size = serializers.IntegerField()
