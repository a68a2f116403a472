from __future__ import annotations

from typing import Any

from rest_framework import serializers

from cyberplan.analytics.periods import Period
from cyberplan.core.choices import TLP

from ..forms import clean_country, parse_period_value


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
        return parse_period_value(value.strip())

    def validate_country(self, value: str) -> str:
        return clean_country(value)
