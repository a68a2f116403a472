from __future__ import annotations

from typing import Any

from django_countries import countries
from rest_framework import serializers

from cyberplan.core.access import Permission, organisations_where
from cyberplan.core.api.fields import limit_related
from cyberplan.core.choices import TLP
from cyberplan.core.models import Organisation
from cyberplan.legal.choices import Coverage, ReviewState
from cyberplan.legal.models import Instrument, InstrumentArticle, Review, ReviewProvision


class InstrumentArticleSerializer(serializers.ModelSerializer[InstrumentArticle]):
    effective_status = serializers.CharField(read_only=True)

    class Meta:
        model = InstrumentArticle
        fields = ["id", "number", "heading", "text", "status", "effective_status"]


class InstrumentSerializer(serializers.ModelSerializer[Instrument]):
    articles = InstrumentArticleSerializer(many=True, read_only=True)
    country = serializers.CharField(source="country.code", read_only=True)

    class Meta:
        model = Instrument
        fields = [
            "id",
            "organisation",
            "country",
            "kind",
            "number",
            "title",
            "date",
            "official_url",
            "status",
            "status_date",
            "amended_by",
            "tlp",
            "version",
            "articles",
        ]


class ReviewSerializer(serializers.ModelSerializer[Review]):
    country = serializers.CharField(source="country.code", read_only=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "organisation",
            "title",
            "country",
            "date",
            "catalogue_version",
            "state",
            "tlp",
            "contact_247",
            "contact_247_since",
            "notes",
            "illustrative",
            "approved_at",
            "version",
        ]
        read_only_fields = fields


class FindingSerializer(serializers.ModelSerializer[ReviewProvision]):
    flagged_articles = serializers.SerializerMethodField()

    class Meta:
        model = ReviewProvision
        fields = [
            "id",
            "provision",
            "coverage",
            "national_articles",
            "flagged_articles",
            "reasoning",
            "reservation",
            "illustrative",
            "reviewer",
            "reviewed_on",
        ]

    def get_flagged_articles(self, obj: ReviewProvision) -> list[int]:
        return [a.pk for a in obj.flagged_articles()]


class FindingUpdateSerializer(serializers.Serializer[Any]):
    """A partial update: a field left out keeps the finding's current value."""

    coverage = serializers.ChoiceField(
        choices=[("", "not assessed"), *Coverage.choices], allow_blank=True, required=False
    )
    reasoning = serializers.CharField(allow_blank=True, required=False)
    reservation = serializers.CharField(allow_blank=True, required=False)
    national_articles = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False
    )


class GroupCoverageSerializer(serializers.Serializer[Any]):
    treaty = serializers.CharField()
    group = serializers.CharField()
    total = serializers.IntegerField()
    applicable = serializers.IntegerField()
    full = serializers.IntegerField()
    partly = serializers.IntegerField(help_text="Provisions partly covered.")
    none = serializers.IntegerField()
    not_applicable = serializers.IntegerField()
    unassessed = serializers.IntegerField()
    full_share = serializers.FloatField(allow_null=True)
    covered_share = serializers.FloatField(allow_null=True)


class ChangeSerializer(serializers.Serializer[Any]):
    provision = serializers.CharField()
    before = serializers.CharField()
    after = serializers.CharField()
    direction = serializers.CharField()


class StateSerializer(serializers.Serializer[Any]):
    state = serializers.ChoiceField(choices=ReviewState.choices)


class GapPushSerializer(serializers.Serializer[Any]):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()


def _editable_organisations(serializer: serializers.Serializer[Any]) -> None:
    request = serializer.context.get("request")
    if request is not None and request.user.is_authenticated:
        limit_related(serializer, "organisation", organisations_where(request.user, Permission.EDIT))


class ReviewCreateSerializer(serializers.Serializer[Any]):
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.none())
    title = serializers.CharField(max_length=250)
    country = serializers.ChoiceField(choices=[(c.code, c.name) for c in countries])
    date = serializers.DateField()
    tlp = serializers.ChoiceField(choices=TLP.choices, default=TLP.AMBER)
    copy_from = serializers.IntegerField(
        required=False, allow_null=True, help_text="An earlier review whose findings the new one starts from."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _editable_organisations(self)


class InstrumentImportSerializer(serializers.Serializer[Any]):
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.none())
    country = serializers.ChoiceField(choices=[(c.code, c.name) for c in countries])
    file = serializers.FileField(help_text="A CSV file, one row per article (docs/how-to/legal-alignment.md).")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _editable_organisations(self)


class ImportResultSerializer(serializers.Serializer[Any]):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    articles_created = serializers.IntegerField()
    articles_updated = serializers.IntegerField()
