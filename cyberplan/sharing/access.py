"""Who reaches what in the sharing network (docs/concepts/sharing-release.md).

Two kinds of reader:

* **Partners over TAXII**, by a partner credential issued by an organisation to a member organisation:
  they see the collections of the issuer's sharing groups their organisation belongs to (and collections
  open to every partner), read and write as their membership says, and receive each object only as the
  release rule (``cyberplan.core.release.may_release``) lets it go to them.
* **People in the web pages**: members of a group's owner organisation see its groups, members and
  collections; coordinators and administrators (``decide``) change them; only administrators of the
  issuing organisation (``administer``) issue, rotate and revoke credentials.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from cyberplan.core.access import Permission, organisation_ids_where, require
from cyberplan.core.models import User
from cyberplan.core.release import Standing, labels_released_to

from .actions import hash_secret
from .models import Collection, GroupMember, PartnerCredential, Push, SharedObject, SharingGroup, Subscription

# -- partners over TAXII ---------------------------------------------------------------------------------------


def credential_from_request(request: HttpRequest) -> PartnerCredential | None:
    """The live credential of a request's HTTP Basic authentication (id as user name, secret as password), or
    of its ``Authorization: Bearer <id>:<secret>`` key; None when absent, unknown, wrong or revoked."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
    elif scheme.lower() == "bearer":
        decoded = value.strip()
    else:
        return None
    ident, sep, secret = decoded.partition(":")
    if not sep or not secret:
        return None
    try:
        credential_id = uuid.UUID(ident)
    except ValueError:
        return None
    credential = PartnerCredential.objects.select_related("holder", "issuer").filter(pk=credential_id).first()
    given = hash_secret(secret)
    if credential is None or not hmac.compare_digest(given, credential.key) or credential.revoked_at is not None:
        return None
    return credential


@dataclass(frozen=True)
class PartnerView:
    """How one credential stands towards one collection: may it read, write, and as which standing."""

    collection: Collection
    credential: PartnerCredential
    can_read: bool
    can_write: bool
    member: GroupMember | None

    @property
    def is_owner(self) -> bool:
        return self.credential.holder_id == self.collection.group.organisation_id

    def standing_towards(self, owner_id: int) -> Standing:
        """The credential's standing for an object owned by ``owner_id``."""
        if owner_id == self.credential.holder_id:
            return Standing.OWNER
        if self.is_owner:
            return Standing.NEED_TO_KNOW  # the group's owner reads what its members post as one who needs to know
        if self.member is not None and self.member.can_read:
            return Standing.NEED_TO_KNOW if self.member.need_to_know else Standing.MEMBER
        return Standing.NON_MEMBER

    def objects_q(self) -> Q:
        """A filter on SharedObject: the objects of the collection this credential receives (the release rule)."""
        if not self.can_read:
            return Q(pk__in=[])
        ceiling = self.collection.group.tlp_ceiling
        own = labels_released_to(standing=Standing.OWNER, role=None, group_ceiling=ceiling)
        other_standing = self.standing_towards(owner_id=-1)
        others = labels_released_to(standing=other_standing, role=None, group_ceiling=ceiling)
        holder = self.credential.holder_id
        return Q(collection=self.collection) & (
            Q(owner_id=holder, tlp__in=own) | (~Q(owner_id=holder) & Q(tlp__in=others))
        )

    def objects(self) -> QuerySet[SharedObject]:
        return SharedObject.objects.filter(self.objects_q())


def partner_collections(credential: PartnerCredential) -> QuerySet[Collection]:
    """The collections a credential sees: its issuer's groups it owns or belongs to, and those open to all."""
    return (
        Collection.objects.filter(group__organisation_id=credential.issuer_id)
        .filter(
            Q(group__organisation_id=credential.holder_id)
            | Q(group__members__organisation_id=credential.holder_id)
            | Q(open_to_all_partners=True)
        )
        .select_related("group", "group__organisation")  # the owner is named in each release's audit entry
        .distinct()
        .order_by("created_at", "id")
    )


def partner_view(credential: PartnerCredential, collection: Collection) -> PartnerView:
    if collection.group.organisation_id == credential.holder_id:
        return PartnerView(collection, credential, True, True, None)
    member = GroupMember.objects.filter(group=collection.group, organisation_id=credential.holder_id).first()
    if member is not None:
        return PartnerView(collection, credential, member.can_read, member.can_write, member)
    return PartnerView(collection, credential, collection.open_to_all_partners, False, None)


def access_partner_collection(credential: PartnerCredential, collection_id: str) -> PartnerView:
    """The collection as the credential sees it; ``Http404`` when it does not see it at all."""
    try:
        collection = partner_collections(credential).get(pk=uuid.UUID(collection_id))
    except (Collection.DoesNotExist, ValueError):
        raise Http404 from None
    return partner_view(credential, collection)


# -- people in the web pages -----------------------------------------------------------------------------------


def groups_visible_to(user: User) -> QuerySet[SharingGroup]:
    return SharingGroup.objects.filter(
        organisation_id__in=organisation_ids_where(user, Permission.VIEW)
    ).select_related("organisation")


def access_group_by_id(user: User, group_id: int | str, permission: Permission = Permission.VIEW) -> SharingGroup:
    """The group if the user is in its owner organisation and holds ``permission``: 404 unseen, 403 not allowed."""
    try:
        group = groups_visible_to(user).get(pk=group_id)
    except (SharingGroup.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    require(user, group.organisation_id, permission)
    return group


def collections_visible_to(user: User) -> QuerySet[Collection]:
    return Collection.objects.filter(group__in=groups_visible_to(user)).select_related("group", "group__organisation")


def access_collection_by_id(
    user: User, collection_id: uuid.UUID | str, permission: Permission = Permission.VIEW
) -> Collection:
    try:
        collection = collections_visible_to(user).get(pk=collection_id)
    except (Collection.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    require(user, collection.group.organisation_id, permission)
    return collection


def credentials_visible_to(user: User) -> QuerySet[PartnerCredential]:
    """Credentials issued by organisations the user administers (others never see them)."""
    return PartnerCredential.objects.filter(
        issuer_id__in=organisation_ids_where(user, Permission.ADMINISTER)
    ).select_related("issuer", "holder")


def access_credential_by_id(user: User, credential_id: uuid.UUID | str) -> PartnerCredential:
    """The credential if the user administers its issuer; 403 for other members of the issuer (they know it
    issues credentials), 404 for everyone else."""
    try:
        credential = PartnerCredential.objects.select_related("issuer", "holder").get(pk=credential_id)
    except (PartnerCredential.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None
    if credential.issuer_id not in organisation_ids_where(user, Permission.VIEW):
        raise Http404
    require(user, credential.issuer_id, Permission.ADMINISTER)
    return credential


def may_administer_credentials(user: User) -> bool:
    return bool(organisation_ids_where(user, Permission.ADMINISTER))


def require_decide(user: User, group: SharingGroup) -> None:
    if not organisation_ids_where(user, Permission.DECIDE) or group.organisation_id not in organisation_ids_where(
        user, Permission.DECIDE
    ):
        raise PermissionDenied


# -- TAXII subscriptions: coordinators and administrators of the subscribing organisation -----------------------


def subscriptions_visible_to(user: User) -> QuerySet[Subscription]:
    return Subscription.objects.filter(
        organisation_id__in=organisation_ids_where(user, Permission.DECIDE)
    ).select_related("organisation")


def access_subscription_by_id(user: User, subscription_id: int | str) -> Subscription:
    """The subscription if the user decides for its organisation; 404 otherwise (others never see it)."""
    try:
        return subscriptions_visible_to(user).get(pk=subscription_id)
    except (Subscription.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# -- TAXII pushes: coordinators and administrators of the organisation whose collection is pushed -----------------


def pushes_visible_to(user: User) -> QuerySet[Push]:
    return Push.objects.filter(organisation_id__in=organisation_ids_where(user, Permission.DECIDE)).select_related(
        "organisation", "collection", "collection__group", "recipient"
    )


def access_push_by_id(user: User, push_id: int | str) -> Push:
    """The push if the user decides for its organisation; 404 otherwise (others never see it)."""
    try:
        return pushes_visible_to(user).get(pk=push_id)
    except (Push.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def pushable_collections(user: User, organisation_id: int | None = None) -> QuerySet[Collection]:
    """Collections of groups owned by organisations the user decides for (one of them, when given)."""
    ids = organisation_ids_where(user, Permission.DECIDE)
    if organisation_id is not None:
        ids = [pk for pk in ids if pk == organisation_id]
    return Collection.objects.filter(group__organisation_id__in=ids).select_related("group").order_by("title")
