"""The REST API. Paths are kebab-case plurals; the schema is committed in docs/reference/openapi.yaml."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from cyberplan.assessment.api.views import AssessmentAnswerViewSet, AssessmentViewSet
from cyberplan.core.api.tokens import APITokenViewSet
from cyberplan.core.api.views import (
    AuditEntryViewSet,
    CountryListView,
    MembershipViewSet,
    OrganisationViewSet,
    SectorViewSet,
)
from cyberplan.gaps.api.views import GapViewSet
from cyberplan.jobs.api.views import JobViewSet
from cyberplan.legal.api.views import InstrumentViewSet, ReviewViewSet
from cyberplan.regional.api.views import ReceivePackageView
from cyberplan.sharing.misp.api import CollectionMISPExportView
from cyberplan.strategy.api.budget import BudgetLineViewSet, ExchangeRateViewSet
from cyberplan.strategy.api.oversight import (
    AxisOwnerViewSet,
    EvaluationViewSet,
    RecommendationViewSet,
    RiskViewSet,
)
from cyberplan.strategy.api.views import ActionViewSet, ElementViewSet, KPIViewSet, StrategyViewSet, VersionViewSet
from cyberplan.threats.api.views import EventListView, ImportViewSet, StoreGrantViewSet
from cyberplan.training.api.views import (
    AttendanceViewSet,
    AudienceSizeViewSet,
    CourseViewSet,
    CoverageView,
    ParticipantImportViewSet,
    ParticipantViewSet,
    ProgrammeViewSet,
    ProviderViewSet,
    SessionViewSet,
)
from cyberplan.trends.api.views import TrendMetricsView

router = DefaultRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("sectors", SectorViewSet, basename="sector")
router.register("audit-entries", AuditEntryViewSet, basename="auditentry")
router.register("tokens", APITokenViewSet, basename="api-token")
router.register("gaps", GapViewSet, basename="gap")
router.register("jobs", JobViewSet, basename="job")
router.register("imports", ImportViewSet, basename="import")
router.register("store-grants", StoreGrantViewSet, basename="store-grant")
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register("assessment-answers", AssessmentAnswerViewSet, basename="assessment-answer")
router.register("legal-instruments", InstrumentViewSet, basename="legal-instrument")
router.register("legal-reviews", ReviewViewSet, basename="legal-review")
router.register("training-providers", ProviderViewSet, basename="training-provider")
router.register("training-programmes", ProgrammeViewSet, basename="training-programme")
router.register("training-courses", CourseViewSet, basename="training-course")
router.register("training-sessions", SessionViewSet, basename="training-session")
router.register("training-participants", ParticipantViewSet, basename="training-participant")
router.register("training-attendance", AttendanceViewSet, basename="training-attendance")
router.register("training-audience-sizes", AudienceSizeViewSet, basename="training-audience-size")
router.register("training-imports", ParticipantImportViewSet, basename="training-import")
router.register("strategies", StrategyViewSet, basename="strategy")
router.register("strategy-elements", ElementViewSet, basename="strategy-element")
router.register("strategy-actions", ActionViewSet, basename="strategy-action")
router.register("strategy-kpis", KPIViewSet, basename="strategy-kpi")
router.register("strategy-versions", VersionViewSet, basename="strategy-version")
router.register("strategy-evaluations", EvaluationViewSet, basename="strategy-evaluation")
router.register("strategy-recommendations", RecommendationViewSet, basename="strategy-recommendation")
router.register("strategy-risks", RiskViewSet, basename="strategy-risk")
router.register("strategy-axis-owners", AxisOwnerViewSet, basename="strategy-axis-owner")
router.register("strategy-budget-lines", BudgetLineViewSet, basename="strategy-budget-line")
router.register("strategy-exchange-rates", ExchangeRateViewSet, basename="strategy-exchange-rate")

app_name = "api"
urlpatterns = [
    path("countries/", CountryListView.as_view(), name="country-list"),
    path("events/", EventListView.as_view(), name="event-list"),
    path("trends/metrics/", TrendMetricsView.as_view(), name="trend-metrics"),
    path("training-coverage/", CoverageView.as_view(), name="training-coverage"),
    path("regional-packages/receive/", ReceivePackageView.as_view(), name="regional-package-receive"),
    path(
        "sharing-collections/<uuid:pk>/misp-export/",
        CollectionMISPExportView.as_view(),
        name="sharing-collection-misp-export",
    ),
    path("", include(router.urls)),
]
