"""The strategy app's pages, assembled from one subpackage per area (under /strategy/)."""

from .importing.urls import urlpatterns as import_patterns
from .monitoring.responsible.urls import urlpatterns as responsible_patterns
from .monitoring.urls import urlpatterns as monitoring_patterns
from .plan.urls import urlpatterns as plan_patterns
from .report.urls import urlpatterns as report_patterns
from .starter.urls import urlpatterns as starter_patterns
from .versions.urls import urlpatterns as version_patterns

app_name = "strategy"
urlpatterns = [
    *plan_patterns,
    *starter_patterns,
    *import_patterns,
    *version_patterns,
    *monitoring_patterns,
    *responsible_patterns,
    *report_patterns,
]
