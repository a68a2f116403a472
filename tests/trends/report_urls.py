"""URLs for the report tests: the site's, plus the report page if the root URLs do not include it yet."""

from tests.trends.report_support import report_urlpatterns

urlpatterns = report_urlpatterns()
