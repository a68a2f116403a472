"""Reads of threat evidence, filtered by organisation, role and TLP."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404

from cyberplan.core.access import (
    ROLE_PERMISSIONS,
    ROLE_TLP,
    Permission,
    organisation_ids_where,
    require,
    role_in,
    roles_of,
)
from cyberplan.core.models import Organisation, User

from .choices import ImportStatus
from .models import ColumnMapping, ConstituencyEntry, Import


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


def access_event_store(user: User, organisation_id: int) -> tuple[Organisation, list[str]]:
    """The organisation whose events the user reads, and the TLP labels they may see there."""
    if role_in(user, organisation_id) is None:
        raise Http404
    organisation = Organisation.objects.get(pk=organisation_id)
    require(user, organisation_id, Permission.VIEW)
    return organisation, event_tlp_labels(user, organisation)


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
