"""Reads of threat evidence, filtered by organisation, role and TLP."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from cyberplan.core.access import (
    ROLE_PERMISSIONS,
    ROLE_TLP,
    Permission,
    organisation_ids_where,
    require,
    role_in,
    roles_of,
)
from cyberplan.core.choices import TLP
from cyberplan.core.models import Organisation, User
from cyberplan.core.release import CROSSABLE, labels_within, released_labels

from .choices import ImportStatus
from .models import ColumnMapping, ConstituencyEntry, Import, StoreGrant
from .store import event_store


def event_tlp_labels(user: User, organisation: Organisation | int) -> list[str]:
    """The TLP labels of threat evidence the user may read in the organisation (none if not a member).

    Threat evidence is the events of the organisation's store and the imports that brought them in,
    with their quarantine. It has no creator who could read past the rule, so TLP:RED evidence is read
    by administrators and coordinators only, even by the person who imported it.
    """
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    role = role_in(user, organisation_id)
    if role is None or Permission.VIEW not in ROLE_PERMISSIONS[role]:
        return []
    return sorted(ROLE_TLP[role])


def evidence_visible_q(user: User, *, organisation_field: str = "organisation", tlp_field: str = "tlp") -> Q:
    """A filter selecting the threat evidence records ``user`` may read, by ``event_tlp_labels``."""
    query = Q(pk__in=[])
    for organisation_id in roles_of(user):
        labels = event_tlp_labels(user, organisation_id)
        if labels:
            query |= Q(**{f"{organisation_field}_id": organisation_id, f"{tlp_field}__in": labels})
    return query


def imports_visible_to(user: User) -> QuerySet[Import]:
    """The imports the user may see: in their organisations, at a TLP they may read there, like the events."""
    return Import.objects.filter(evidence_visible_q(user)).select_related("organisation", "created_by", "job")


def access_import_by_id(user: User, import_id: uuid.UUID | str) -> Import:
    """An import, with its page and its quarantine; ``Http404`` if the user may not read its TLP."""
    try:
        return imports_visible_to(user).get(pk=import_id)
    except (Import.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None


@dataclass
class ReadableStore:
    """An event store a user reads: whose it is, the labels they read there, and the grants it comes through.

    ``grants`` is empty when the user is a member of the owner (they read it by their role there); otherwise
    it holds the live grants to the user's organisations that give them ``labels``.
    """

    owner: Organisation
    labels: list[str]
    grants: list[StoreGrant] = field(default_factory=list)

    @property
    def granted(self) -> bool:
        return bool(self.grants)

    def describe(self) -> str:
        """The store as every figure names it: the owner, and for a granted store the highest label granted."""
        if not self.grants:
            return str(self.owner)
        ceiling = max((grant.ceiling for grant in self.grants), key=CROSSABLE.index)
        return _("%(owner)s (granted up to %(label)s)") % {
            "owner": self.owner,
            "label": TLP(ceiling).label,
        }


def live_grants_received(organisation_ids: Iterable[int]) -> QuerySet[StoreGrant]:
    return StoreGrant.objects.filter(recipient_id__in=list(organisation_ids), revoked_at__isnull=True).select_related(
        "owner", "recipient"
    )


def readable_stores(user: User) -> list[ReadableStore]:
    """Every event store the user reads: their organisations' own, then those granted to them, by name.

    A member reads their organisation's store by their role (``event_tlp_labels``). A store granted to one
    of their organisations is read through the one release rule (``cyberplan.core.release``): never
    AMBER+STRICT or RED, at most the grant's ceiling, at most what their role reads in the recipient.
    A store they read by no label is not listed.
    """
    return stores_read_by_roles(roles_of(user))


def stores_read_by_roles(roles: Mapping[int, str]) -> list[ReadableStore]:
    """The stores read by someone holding ``roles`` (``{organisation_id: role}``), as :func:`readable_stores`
    lists them for a user; also for readers imagined ahead, such as the cache warming after an import."""
    stores: dict[int, ReadableStore] = {}
    for organisation in Organisation.objects.filter(pk__in=list(roles)).order_by("name"):
        role = roles[organisation.pk]
        if Permission.VIEW in ROLE_PERMISSIONS.get(role, frozenset()):
            stores[organisation.pk] = ReadableStore(organisation, sorted(ROLE_TLP[role]))
    granted: dict[int, ReadableStore] = {}
    for grant in live_grants_received(roles).order_by("owner__name", "pk"):
        if grant.owner_id in stores:
            continue  # a member reads more by their role than any grant releases
        labels = released_labels(
            owner_id=grant.owner_id,
            recipient_id=grant.recipient_id,
            ceiling=grant.ceiling,
            recipient_role=roles.get(grant.recipient_id),
        )
        if not labels:
            continue
        entry = granted.setdefault(grant.owner_id, ReadableStore(grant.owner, []))
        entry.labels = sorted(set(entry.labels) | set(labels), key=CROSSABLE.index)
        entry.grants.append(grant)
    return [*stores.values(), *granted.values()]


def combined_readings(organisation: Organisation) -> list[list[ReadableStore]]:
    """Every list of stores read together (the "all stores" view) that an import into ``organisation``'s
    store changes: for each role of the organisation itself and of each organisation it grants its store
    to, the stores a member with that role alone reads, when there are several. For warming caches ahead."""
    readers = {organisation.pk}
    readers.update(
        StoreGrant.objects.filter(owner=organisation, revoked_at__isnull=True).values_list("recipient_id", flat=True)
    )
    seen: set[tuple[tuple[int, tuple[str, ...]], ...]] = set()
    readings = []
    for reader_id in sorted(readers):
        for role in ROLE_TLP:
            stores = stores_read_by_roles({reader_id: role})
            key = tuple((store.owner.pk, tuple(store.labels)) for store in stores)
            if len(stores) > 1 and key not in seen:
                seen.add(key)
                readings.append(stores)
    return readings


def reader_label_sets(owner: Organisation) -> set[tuple[str, ...]]:
    """Every set of labels some reader may read the owner's store at: by a role inside the owner, or by a
    role in an organisation holding a live grant (through the release rule). For warming caches ahead."""
    sets = {tuple(sorted(labels)) for role, labels in ROLE_TLP.items() if Permission.VIEW in ROLE_PERMISSIONS[role]}
    for grant in StoreGrant.objects.filter(owner=owner, revoked_at__isnull=True):
        for role in ROLE_TLP:
            released = released_labels(
                owner_id=grant.owner_id, recipient_id=grant.recipient_id, ceiling=grant.ceiling, recipient_role=role
            )
            if released:
                sets.add(tuple(sorted(released)))
    return sets


def default_store(stores: list[ReadableStore]) -> Organisation | None:
    """The store a page opens on: the first readable store that holds events, else the first one."""
    for store in stores:
        if event_store(store.owner).files():
            return store.owner
    return stores[0].owner if stores else None


def readable_store_owners(user: User) -> QuerySet[Organisation]:
    """The organisations whose store the user reads (by membership or grant), for a store chooser."""
    return Organisation.objects.filter(pk__in=[store.owner.pk for store in readable_stores(user)])


def access_readable_store(user: User, organisation_id: int) -> ReadableStore:
    """The store of ``organisation_id`` as the user reads it, by membership or grant; ``Http404`` otherwise."""
    if role_in(user, organisation_id) is not None:
        organisation = Organisation.objects.get(pk=organisation_id)
        require(user, organisation_id, Permission.VIEW)
        return ReadableStore(organisation, event_tlp_labels(user, organisation))
    for store in readable_stores(user):
        if store.owner.pk == organisation_id:
            return store
    raise Http404


def access_event_store(user: User, organisation_id: int) -> tuple[Organisation, list[str]]:
    """The organisation whose events the user reads, and the TLP labels they may see there (member or grant)."""
    store = access_readable_store(user, organisation_id)
    return store.owner, store.labels


def organisation_store_labels(reader: Organisation, owner: Organisation) -> list[str]:
    """The labels of ``owner``'s store that ``reader`` as an organisation reads: all of its own, or a live grant's.

    For figures made for an organisation rather than a person (a strategy's KPIs and threat context); a
    person's own limits are applied on top by the caller.
    """
    if reader.pk == owner.pk:
        return list(TLP.values)
    grant = live_grants_received([reader.pk]).filter(owner=owner).first()
    return labels_within(CROSSABLE, grant.ceiling) if grant is not None else []


def organisation_stores(reader: Organisation) -> list[ReadableStore]:
    """The stores an organisation reads: its own, then those granted to it (labels at organisation level)."""
    stores = [ReadableStore(reader, list(TLP.values))]
    for grant in live_grants_received([reader.pk]).order_by("owner__name", "pk"):
        stores.append(ReadableStore(grant.owner, labels_within(CROSSABLE, grant.ceiling), [grant]))
    return stores


def store_labels_of(user: User, owner_id: int) -> list[str]:
    """The labels of ``owner_id``'s store the user reads, by membership or grant; none when they read nothing."""
    try:
        return access_readable_store(user, owner_id).labels
    except (Http404, PermissionDenied):
        return []


def describe_store_for(reader: Organisation, owner: Organisation) -> str:
    """How a figure made for ``reader`` names ``owner``'s store ("… (granted up to …)" when granted)."""
    for store in organisation_stores(reader):
        if store.owner.pk == owner.pk:
            return store.describe()
    return str(owner)


def store_grants_visible_to(user: User) -> QuerySet[StoreGrant]:
    """The grants the user's organisations gave or received (live and revoked), for the page and the API."""
    organisations = organisation_ids_where(user, Permission.VIEW)
    return StoreGrant.objects.filter(Q(owner_id__in=organisations) | Q(recipient_id__in=organisations)).select_related(
        "owner", "recipient", "granted_by", "revoked_by"
    )


def grant_manager_ids(user: User) -> list[int]:
    """The organisations whose store the user may grant and revoke: where they administer or coordinate."""
    return [
        organisation_id
        for organisation_id, role in roles_of(user).items()
        if Permission.DECIDE in ROLE_PERMISSIONS[role] or Permission.ADMINISTER in ROLE_PERMISSIONS[role]
    ]


def access_grant_to_manage(user: User, grant_id: int) -> StoreGrant:
    """A grant the user may revoke: 404 if they do not see it, 403 if they see it but do not manage its owner."""
    try:
        grant = store_grants_visible_to(user).get(pk=grant_id)
    except (StoreGrant.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if grant.owner_id not in grant_manager_ids(user):
        raise PermissionDenied
    return grant


def mappings_visible_to(user: User) -> QuerySet[ColumnMapping]:
    return ColumnMapping.objects.filter(organisation_id__in=organisation_ids_where(user, Permission.VIEW))


def constituency_visible_to(user: User) -> QuerySet[ConstituencyEntry]:
    return ConstituencyEntry.objects.filter(
        organisation_id__in=organisation_ids_where(user, Permission.VIEW)
    ).select_related("sector", "organisation")


def finished_imports_for_report(organisation: Organisation, labels: Iterable[str]) -> QuerySet[Import]:
    """The organisation's finished imports (succeeded or refused) at these TLP labels, oldest first.

    For a report made for the organisation at a TLP marking: the caller has already chosen the labels the
    marking allows, so no user is checked here.
    """
    return Import.objects.filter(
        organisation=organisation,
        status__in=[ImportStatus.SUCCEEDED, ImportStatus.FAILED],
        tlp__in=list(labels),
    ).order_by("created_at")


def constituency_networks(organisation: Organisation) -> list[str]:
    """The networks of the organisation's constituency table, as written there, for its own reports."""
    return list(ConstituencyEntry.objects.filter(organisation=organisation).values_list("network", flat=True))


#: A store chooser's value for every store the user reads, read together.
ALL_STORES = "all"
