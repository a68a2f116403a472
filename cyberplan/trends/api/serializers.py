from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from cyberplan.analytics.periods import Period, PeriodError, parse_period
from cyberplan.core.choices import TLP


class TrendQuerySerializer(serializers.Serializer[Any]):
    """The query of ``GET /api/trends/metrics/``."""

    organisation = serializers.IntegerField(help_text="Organisation whose event store is read.")
    period = serializers.CharField(
        required=False,
        max_length=30,
        help_text="2026, 2026-Q3, 2026-11 or 2026-01-01..2026-03-31; by default the latest month with events.",
    )
    sector = serializers.CharField(required=False, max_length=40, help_text="Victim sector code, or unknown.")
    taxonomy = serializers.CharField(required=False, max_length=60, help_text="RSIT class, such as vulnerable.")
    type = serializers.CharField(required=False, max_length=60, help_text="RSIT type, such as ddos.")
    country = serializers.CharField(required=False, max_length=7, help_text="Victim country (two letters), or unknown.")
    feed = serializers.CharField(required=False, max_length=80, help_text="Feed name, such as scan_telnet.")
    tlp = serializers.ChoiceField(
        choices=TLP.choices,
        required=False,
        help_text="Count only events marked at most this label; never more than the caller may read.",
    )

    def validate_period(self, value: str) -> Period:
        try:
            return parse_period(value)
        except PeriodError:
            raise serializers.ValidationError(
                _(
                    "Write a year (2026), a quarter (2026-Q3), a month (2026-11) or a range of days (2026-01-01..2026-03-31)."
                )
            ) from None

    def validate_country(self, value: str) -> str:
        value = value.strip()
        if value.lower() == "unknown":
            return "unknown"
        if value and (len(value) != 2 or not value.isalpha()):
            raise serializers.ValidationError(_("Give a two-letter country code, or unknown."))
        return value.upper()
