"""Who sees and does what with statistics packages.

* Members of the package's organisation see its packages, within TLP as for any record (``visible_q``).
* Analysts, coordinators and administrators (``edit``) build drafts.
* Approval takes a coordinator or an administrator (``decide``) of an organisation that is the member's
  national cybersecurity authority: the package speaks for the country.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from cyberplan.core.access import Permission, has_permission, organisations_where, require, visible_q
from cyberplan.core.choices import OrganisationType
from cyberplan.core.models import Organisation, User
from cyberplan.sharing.models import Push

from .choices import PackageState
from .models import Member, PackageRefusal, ReceivedPackage, StatisticsPackage


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


def may_send(user: User, package: StatisticsPackage) -> bool:
    """Sending an approved package takes the same as approving it: it speaks for the country."""
    return package.state == PackageState.APPROVED and may_approve(user, package)


def regional_pushes(package: StatisticsPackage) -> QuerySet[Push]:
    """The organisation's TAXII pushes whose partner is a regional programme: where a package may be sent."""
    return Push.objects.filter(
        organisation_id=package.organisation_id, recipient__type=OrganisationType.REGIONAL_BODY
    ).select_related("recipient", "collection")


# -- regional programme, receiving side --------------------------------------------------------------------
# Only members of the regional programme organisation see its register, the packages it received, their
# refusals and its figures (within TLP); analysts and above (``edit``) receive packages; coordinators and
# administrators (``decide``) keep the register; administrators confirm an identity from a refusal.


def programmes_where(user: User, permission: Permission = Permission.VIEW) -> QuerySet[Organisation]:
    return organisations_where(user, permission).filter(type=OrganisationType.REGIONAL_BODY)


def members_visible_to(user: User) -> QuerySet[Member]:
    return Member.objects.filter(programme__in=programmes_where(user)).select_related("programme")


def access_member_by_id(user: User, member_id: int, permission: Permission = Permission.VIEW) -> Member:
    member = members_visible_to(user).filter(pk=member_id).first()
    if member is None:
        raise Http404
    require(user, member.programme_id, permission)
    return member


def received_visible_to(user: User) -> QuerySet[ReceivedPackage]:
    query = visible_q(user, organisation_field="programme", creator_field="received_by")
    return ReceivedPackage.objects.filter(query, programme__type=OrganisationType.REGIONAL_BODY).select_related(
        "member", "programme", "received_by"
    )


def refusals_visible_to(user: User) -> QuerySet[PackageRefusal]:
    return PackageRefusal.objects.filter(programme__in=programmes_where(user)).select_related(
        "member", "programme", "received_by"
    )


def access_refusal_by_id(user: User, refusal_id: int) -> PackageRefusal:
    refusal = refusals_visible_to(user).filter(pk=refusal_id).first()
    if refusal is None:
        raise Http404
    return refusal
