"""The strategy app's pages, assembled from one module per area (under /strategy/)."""

from .report_urls import urlpatterns as report_patterns
from .urls_import import urlpatterns as import_patterns
from .urls_monitoring import urlpatterns as monitoring_patterns
from .urls_plan import urlpatterns as plan_patterns
from .urls_responsible import urlpatterns as responsible_patterns
from .urls_starter import urlpatterns as starter_patterns
from .urls_versions import urlpatterns as version_patterns

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
