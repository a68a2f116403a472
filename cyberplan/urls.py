from allauth.account import views as account_views
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from cyberplan.core import urls as core_urls
from cyberplan.core import views as core_views
from cyberplan.workspace import urls as workspace_urls

# The admin's own sign-in form would skip the second factor: it sends people to the sign-in page instead
# (before admin.site.urls below reads it).
admin.site.login = login_required(admin.site.login)  # type: ignore[method-assign]  # the admin's own sign-in goes through the project's sign-in page

urlpatterns = [
    # The workspace's pages (the overview, the audit export) and core's share the ``core`` namespace:
    # ``core:home`` kept its name when the overview moved up into the workspace app.
    path("", include((workspace_urls.urlpatterns + core_urls.urlpatterns, "core"))),
    path("gaps/", include("cyberplan.gaps.urls")),
    path("assessment/", include("cyberplan.assessment.urls")),
    path("legal/", include("cyberplan.legal.urls")),
    path("training/", include("cyberplan.training.urls")),
    path("strategy/", include("cyberplan.strategy.urls")),
    path("jobs/", include("cyberplan.jobs.urls")),
    path("threats/", include("cyberplan.threats.urls")),
    path("trends/reports/", include("cyberplan.trends.report.urls")),
    path("trends/", include("cyberplan.trends.urls")),
    path("sharing/", include("cyberplan.sharing.urls")),
    path("regional/", include("cyberplan.regional.urls")),
    # TAXII 2.1 for partners, authenticated by partner credentials rather than sessions.
    path("taxii2/", include("cyberplan.sharing.taxii.urls")),
    # MISP feeds of the same collections, under the same partner credentials and release rule.
    path("misp-feeds/", include("cyberplan.sharing.misp.urls")),
    # Sign-in goes through django-allauth (password, then the second factor if the user has one); the
    # same address answers to allauth's own names for these pages.
    path("login/", account_views.login, name="login"),
    path("login/", account_views.login, name="account_login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("logout/", auth_views.LogoutView.as_view(), name="account_logout"),
    path("accounts/", include("cyberplan.accounts.urls")),
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
