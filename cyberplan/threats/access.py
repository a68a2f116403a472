"""Reads of threat evidence, filtered by organisation, role and TLP."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from cyberplan.core.access import ROLE_TLP, Permission, organisation_ids_where, require, role_in
from cyberplan.core.models import Organisation, User

from .models import ColumnMapping, ConstituencyEntry, Import


def imports_visible_to(user: User) -> QuerySet[Import]:
    return Import.objects.filter(organisation_id__in=organisation_ids_where(user, Permission.VIEW)).select_related(
        "organisation", "created_by", "job"
    )


def access_import_by_id(user: User, import_id: uuid.UUID | str) -> Import:
    try:
        return imports_visible_to(user).get(pk=import_id)
    except (Import.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None


def event_tlp_labels(user: User, organisation: Organisation) -> list[str]:
    """The TLP labels of events the user may read in the organisation's store (none if not a member).

    Events carry no creator, so TLP:RED events are read by administrators and coordinators only.
    """
    role = role_in(user, organisation.pk)
    if role is None:
        return []
    return sorted(ROLE_TLP[role])


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
