from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cyberplan.analytics.metrics import BY_ID
from cyberplan.analytics.periods import Period
from cyberplan.core.http import signed_in_user
from cyberplan.threats.access import access_event_store

from ..figures import figures, latest_period, store_state
from ..forms import labels_up_to, scope_of
from ..report.common import METRIC_TITLES
from .serializers import TrendQuerySerializer


def metric_title(metric_id: str) -> str:
    """The metric's title in the active language.

    The analytics package keeps its titles in English and free of Django; the report's titles are
    the translated ones, so the API reuses them. A metric without one keeps its English title.
    """
    title = METRIC_TITLES.get(metric_id)
    return str(title) if title is not None else BY_ID[metric_id].title


def _period(period: Period) -> dict[str, str]:
    return {
        "label": period.label,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),  # excluded
        "previous": period.previous().label,
        "year_earlier": period.year_earlier().label,
    }


class TrendMetricsView(APIView):
    """The threat trends metric set of one organisation for a period, from the trend tables.

    Counts include only events whose TLP label the caller may read in the organisation, or, for a store
    granted to one of the caller's organisations, the labels the release rule lets cross. Metric titles are
    in the request's language.
    """

    @extend_schema(
        parameters=[TrendQuerySerializer],
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description=(
                    "organisation, period (label, start, end excluded, previous, year_earlier; null when the "
                    "store holds no events the caller may read), scope (the filters and TLP labels applied) "
                    "and metrics: for each metric id its title, in the request's language, and its rows"
                ),
            ),
            404: OpenApiResponse(description="Neither a member of the organisation nor granted its store."),
        },
    )
    def get(self, request: Request) -> Response:
        query = TrendQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data: dict[str, Any] = query.validated_data
        organisation, labels = access_event_store(signed_in_user(request), data["organisation"])
        state = store_state(organisation)
        period: Period | None = data.get("period") or latest_period(state, labels)
        if period is None:
            return Response(
                {
                    "organisation": organisation.pk,
                    "period": None,
                    "scope": {"tlp": list(labels_up_to(labels, data.get("tlp") or ""))},
                    "metrics": {},
                }
            )
        scope = scope_of(
            period,
            labels,
            sector=data.get("sector", ""),
            taxonomy=data.get("taxonomy", ""),
            type_=data.get("type", ""),
            country=data.get("country", ""),
            feed=data.get("feed", ""),
            tlp=data.get("tlp") or "",
        )
        result = figures(state, scope)
        return Response(
            {
                "organisation": organisation.pk,
                "period": _period(period),
                "scope": scope.describe(),
                "metrics": {
                    metric_id: {"title": metric_title(metric_id), "rows": rows}
                    for metric_id, rows in result.rows.items()
                },
            }
        )
