"""Writes of the regional programme, receiving side: the member register and the packages members send.

Every write is audited in the same transaction. A package that arrives is checked by
:func:`.receiving.validate_package` against the register and the last version accepted from the member for the
period; it is then either stored whole (superseding the older version) or refused, and the refusal is kept with
its code and reason. Nothing is half-imported: each outcome is one transaction.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cyberplan.core import audit
from cyberplan.core.choices import AuditAction, OrganisationType
from cyberplan.core.models import Organisation, User
from cyberplan.sharing.models import Collection

from .actions import package_period
from .models import IntakeCollection, Member, PackageRefusal, ReceivedPackage
from .package import PACKAGE_TYPE
from .receiving import KnownMember, PackageRefusedError, validate_package

#: The largest package file accepted (also never above the instance's upload limit).
MAX_PACKAGE_BYTES = 10 * 1024 * 1024
MEMBER_FIELDS = ("programme", "country", "name", "identity_id", "instance_url", "contact", "active", "shares_events")
RECEIVED_FIELDS = ("member", "period", "version", "stix_modified", "tlp", "content_hash", "file_name", "superseded")
REFUSAL_FIELDS = ("member", "claimed_country", "claimed_identity", "period", "code", "reason", "content_hash")


def max_bytes() -> int:
    return min(int(settings.CYBERPLAN_MAX_UPLOAD_BYTES), MAX_PACKAGE_BYTES)


def _actor(actor: User | None) -> User | None:
    return actor if actor is not None and actor.pk else None


def check_programme(organisation: Organisation) -> None:
    if organisation.type != OrganisationType.REGIONAL_BODY:
        raise ValidationError(
            {"programme": _("%(name)s is not a regional programme organisation.") % {"name": organisation.name}}
        )


@transaction.atomic
def do_save_member(actor: User | None, member: Member) -> Member:
    """Create or update a member of the register (country upper-cased, identity checked), audited."""
    check_programme(member.programme)
    member.country = member.country.strip().upper()
    member.identity_id = member.identity_id.strip()
    if len(member.country) != 2 or not member.country.isalpha():
        raise ValidationError({"country": _("Give the two-letter ISO 3166-1 code of the country, e.g. PY.")})
    if member.identity_id and not member.identity_id.startswith("identity--"):
        raise ValidationError({"identity_id": _("A STIX identity id starts with 'identity--'.")})
    clash = Member.objects.filter(programme=member.programme, country=member.country).exclude(pk=member.pk)
    if clash.exists():
        raise ValidationError({"country": _("%(country)s is already a member.") % {"country": member.country}})
    if member.pk is None:
        member.save()
        audit.record_create(_actor(actor), member, member.programme)
        return member
    before = audit.snapshot(Member.objects.get(pk=member.pk), MEMBER_FIELDS)
    member.save()
    changes = audit.diff(before, audit.snapshot(member, MEMBER_FIELDS))
    if changes:
        audit.record(
            actor=_actor(actor),
            action=AuditAction.UPDATE,
            instance=member,
            changes=changes,
            organisation=member.programme,
        )
    return member


@transaction.atomic
def do_confirm_identity(actor: User | None, refusal: PackageRefusal) -> Member:
    """Register the identity a refused package claimed as its member's (the member had none), audited."""
    if refusal.code != "identity-unconfirmed" or refusal.member is None or not refusal.claimed_identity:
        raise ValidationError(
            _("Only a package refused because its member's identity was not yet confirmed can confirm it.")
        )
    member = Member.objects.select_for_update().get(pk=refusal.member.pk)
    if member.identity_id:
        raise ValidationError(_("%(country)s's identity is already registered.") % {"country": member.country})
    member.identity_id = refusal.claimed_identity
    return do_save_member(actor, member)


def _claims(bundle: Any) -> tuple[str, str]:
    """The country and identity a bundle claims, as far as it can be read (for the refusal record)."""
    objects = bundle.get("objects") if isinstance(bundle, dict) else None
    for obj in objects if isinstance(objects, list) else []:
        if isinstance(obj, dict) and obj.get("type") == PACKAGE_TYPE:
            return str(obj.get("country", ""))[:10], str(obj.get("created_by_ref", ""))[:100]
    return "", ""


def _register(programme: Organisation) -> tuple[dict[str, KnownMember], dict[str, Member]]:
    members = {m.country: m for m in Member.objects.filter(programme=programme, active=True)}
    known = {c: KnownMember(c, m.identity_id, m.name) for c, m in members.items() if m.identity_id}
    return known, members


def _last_seen(programme: Organisation, period: str) -> dict[str, str]:
    latest = ReceivedPackage.objects.filter(programme=programme, period=period, superseded=False)
    return {p.member.country: p.stix_modified for p in latest.select_related("member")}


def _validate(programme: Organisation, period: str, data: bytes) -> tuple[Any, dict[str, Any], Member]:
    """The bundle, its package and its member, or :class:`PackageRefusedError`."""
    try:
        bundle = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackageRefusedError("not-json", _("The file is not JSON text: %(error)s") % {"error": exc}) from None
    known, members = _register(programme)
    country, claimed = _claims(bundle)
    last_seen = _last_seen(programme, period)
    if country in members and not members[country].identity_id:
        # Every other check first, as if the claimed identity were registered: only a package that would be
        # accepted offers its identity for an administrator to confirm.
        validate_package(bundle, period, {**known, country: KnownMember(country, claimed)}, last_seen)
        raise PackageRefusedError(
            "identity-unconfirmed",
            _(
                "created_by_ref: %(country)s has no registered identity yet; an administrator may confirm %(claimed)s from this refusal."
            )
            % {"country": country, "claimed": claimed or "?"},
        )
    accepted = validate_package(bundle, period, known, last_seen)
    return bundle, accepted.package, members[accepted.member.country]


def do_receive(
    actor: User | None, programme: Organisation, period: str, file_name: str, data: bytes
) -> ReceivedPackage | PackageRefusal:
    """Check a member's package file for ``period``: the stored package, or the refusal kept; audited either way."""
    check_programme(programme)
    period = period.strip()
    package_period(period)
    if len(data) > max_bytes():
        raise ValidationError({"file": _("The file is larger than the limit for a statistics package.")})
    with transaction.atomic():
        # One intake at a time per programme: the last accepted version read by the check stays the last
        # until this package is stored (two uploads of one member at once cannot both be accepted as latest).
        Organisation.objects.select_for_update().filter(pk=programme.pk).first()
        try:
            _bundle, package, member = _validate(programme, period, data)
        except PackageRefusedError as refused:
            return _refuse(actor, programme, period, file_name, data, refused)
        return _accept(actor, programme, member, package, file_name, data)


def _accept(
    actor: User | None, programme: Organisation, member: Member, package: dict[str, Any], file_name: str, data: bytes
) -> ReceivedPackage:
    older = ReceivedPackage.objects.select_for_update().filter(
        programme=programme, member=member, period=package["period"], superseded=False
    )
    for old in older:
        old.superseded = True
        old.save(update_fields=["superseded"])
        audit.record(
            actor=_actor(actor),
            action=AuditAction.UPDATE,
            instance=old,
            changes={"superseded": [False, True]},
            organisation=programme,
        )
    text = data.decode("utf-8")
    received = ReceivedPackage.objects.create(
        programme=programme,
        member=member,
        period=package["period"],
        version=int(package["package_version"]),
        stix_modified=str(package["modified"]),
        tlp=str(package["tlp"]),
        content=text,
        content_hash=hashlib.sha256(data).hexdigest(),
        file_name=file_name[:200],
        received_by=_actor(actor),
    )
    after = audit.snapshot(received, RECEIVED_FIELDS)
    audit.record(
        actor=_actor(actor),
        action=AuditAction.CREATE,
        instance=received,
        changes={k: [None, v] for k, v in after.items()},
        organisation=programme,
    )
    return received


def _refuse(
    actor: User | None, programme: Organisation, period: str, file_name: str, data: bytes, refused: PackageRefusedError
) -> PackageRefusal:
    try:
        country, claimed = _claims(json.loads(data.decode("utf-8")))
    except (UnicodeDecodeError, json.JSONDecodeError):
        country, claimed = "", ""
    refusal = PackageRefusal.objects.create(
        programme=programme,
        member=Member.objects.filter(programme=programme, country=country).first() if country else None,
        claimed_country=country,
        claimed_identity=claimed,
        period=period,
        code=refused.code,
        reason=refused.reason,
        content_hash=hashlib.sha256(data).hexdigest(),
        file_name=file_name[:200],
        received_by=_actor(actor),
    )
    after = audit.snapshot(refusal, REFUSAL_FIELDS)
    audit.record(
        actor=_actor(actor),
        action=AuditAction.CREATE,
        instance=refusal,
        changes={k: [None, v] for k, v in after.items()},
        organisation=programme,
    )
    return refusal


@transaction.atomic
def do_register_intake(actor: User | None, collection: Collection, period: str) -> IntakeCollection:
    """Take packages in as they arrive in ``collection`` (of a sharing group of a regional programme) for
    ``period``; registering again changes the period. Audited."""
    programme = collection.group.organisation
    check_programme(programme)
    period = period.strip()
    package_period(period)
    found = IntakeCollection.objects.filter(collection=collection).first()
    if found is None:
        found = IntakeCollection.objects.create(collection=collection, period=period)
        audit.record_create(_actor(actor), found, programme)
        return found
    if found.period != period:
        audit.record(
            actor=_actor(actor),
            action=AuditAction.UPDATE,
            instance=found,
            changes={"period": [found.period, period]},
            organisation=programme,
        )
        found.period = period
        found.save(update_fields=["period"])
    return found
