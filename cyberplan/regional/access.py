"""Who sees and does what with statistics packages.

* Members of the package's organisation see its packages, within TLP as for any record (``visible_q``).
* Analysts, coordinators and administrators (``edit``) build drafts.
* Approval takes a coordinator or an administrator (``decide``) of an organisation that is the member's
  national cybersecurity authority: the package speaks for the country.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from cyberplan.core.access import Permission, has_permission, organisations_where, visible_q
from cyberplan.core.choices import OrganisationType
from cyberplan.core.models import Organisation, User

from .models import StatisticsPackage


def packages_visible_to(user: User) -> QuerySet[StatisticsPackage]:
    return StatisticsPackage.objects.filter(visible_q(user, creator_field="created_by")).select_related(
        "organisation", "created_by", "approved_by"
    )


def access_package_by_id(user: User, package_id: int) -> StatisticsPackage:
    package = packages_visible_to(user).filter(pk=package_id).first()
    if package is None:
        raise Http404
    return package


def build_organisations(user: User) -> QuerySet[Organisation]:
    """The organisations ``user`` may build packages for."""
    return organisations_where(user, Permission.EDIT)


def may_approve(user: User, package: StatisticsPackage) -> bool:
    return package.organisation.type == OrganisationType.NATIONAL_AUTHORITY and has_permission(
        user, package.organisation_id, Permission.DECIDE
    )
