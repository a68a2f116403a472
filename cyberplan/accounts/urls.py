"""Sign-in routes from django-allauth that cyberplan uses, under /accounts/.

Only these: confirming the password again, the two-factor pages, the single sign-on links and the
identity provider's callback. allauth's own e-mail, password-reset and sign-up pages are left out:
administrators create accounts and enter their e-mail addresses. The names allauth links to for
those pages lead to cyberplan's own account and password pages instead.
"""

from allauth.account import views as account_views
from allauth.socialaccount.providers.openid_connect import urls as oidc_urls
from django.urls import include, path
from django.views.generic.base import RedirectView

urlpatterns = [
    path("reauthenticate/", account_views.reauthenticate, name="account_reauthenticate"),
    path("inactive/", account_views.account_inactive, name="account_inactive"),
    path("signup/", account_views.signup, name="account_signup"),
    path("email/", RedirectView.as_view(pattern_name="core:account"), name="account_email"),
    path("password/change/", RedirectView.as_view(pattern_name="password_change"), name="account_change_password"),
    path("password/reset/", RedirectView.as_view(pattern_name="login"), name="account_reset_password"),
    path("2fa/", include("allauth.mfa.urls")),
    path("3rdparty/", include("allauth.socialaccount.urls")),
    path("", include(oidc_urls)),
]
