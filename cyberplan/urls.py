from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from cyberplan.core import views as core_views

urlpatterns = [
    path("", include("cyberplan.core.urls")),
    path("gaps/", include("cyberplan.gaps.urls")),
    path("assessment/", include("cyberplan.assessment.urls")),
    path("strategy/", include("cyberplan.strategy.urls")),
    path("jobs/", include("cyberplan.jobs.urls")),
    path("threats/", include("cyberplan.threats.urls")),
    path("trends/reports/", include("cyberplan.trends.report_urls")),
    path("trends/", include("cyberplan.trends.urls")),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("healthz", core_views.healthz, name="healthz"),
    path("api/", include("cyberplan.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("admin/", admin.site.urls),
]

handler400 = "cyberplan.core.errors.bad_request"
handler403 = "cyberplan.core.errors.permission_denied"
handler404 = "cyberplan.core.errors.page_not_found"
handler500 = "cyberplan.core.errors.server_error"
