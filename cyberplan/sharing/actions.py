"""Writes of the sharing network. Every write is audited in the same transaction.

Objects enter a collection through one function, :func:`add_objects`: each is validated as STIX 2.1, a
version already held (same id and ``modified``) is accepted without change, and each new version gets a
server ``date_added`` that is unique and increasing within its collection (the keyset of TAXII paging).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import secrets
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from cyberplan.core import audit
from cyberplan.core.choices import TLP, AuditAction
from cyberplan.core.models import Organisation, User
from cyberplan.core.release import Standing, labels_released_to

from . import stix_out
from .models import (
    Collection,
    GroupMember,
    PartnerCredential,
    Push,
    Release,
    SharedObject,
    SharingGroup,
    Status,
    Subscription,
)
from .signals import envelope_stored

GROUP_FIELDS = ("name", "description", "tlp_ceiling")
MEMBER_FIELDS = ("can_read", "can_write", "need_to_know")
COLLECTION_FIELDS = ("title", "description", "content", "open_to_all_partners", "default_tlp")


def _actor(actor: User | None) -> User | None:
    return actor if actor is not None and actor.pk else None


# -- groups, members, collections -----------------------------------------------------------------------------


@transaction.atomic
def do_create_group(actor: User | None, organisation: Organisation, **values: Any) -> SharingGroup:
    group = SharingGroup(organisation=organisation, created_by=_actor(actor), **values)
    group.full_clean()
    group.save()
    audit.record_create(_actor(actor), group, organisation)
    return group


@transaction.atomic
def do_update_group(actor: User | None, group: SharingGroup, **values: Any) -> SharingGroup:
    """Change the group's fields; compared with what is stored (a form may have changed ``group`` in memory)."""
    current = SharingGroup.objects.select_for_update().get(pk=group.pk)
    before = audit.snapshot(current)
    for name in GROUP_FIELDS:
        if name in values:
            setattr(current, name, values[name])
    audit.save_versioned_update(_actor(actor), current, before, current.organisation)
    return current


@transaction.atomic
def do_set_member(
    actor: User | None,
    group: SharingGroup,
    organisation: Organisation,
    *,
    can_read: bool = True,
    can_write: bool = False,
    need_to_know: bool = False,
) -> GroupMember:
    """Add ``organisation`` to the group, or change what it may do there."""
    if organisation.pk == group.organisation_id:
        raise ValidationError({"organisation": _("The owner organisation belongs to its groups already.")})
    values = {"can_read": can_read, "can_write": can_write, "need_to_know": need_to_know}
    member = GroupMember.objects.filter(group=group, organisation=organisation).first()
    if member is None:
        member = GroupMember(group=group, organisation=organisation, **values)
        member.full_clean()
        member.save()
        audit.record_create(_actor(actor), member, group.organisation)
        return member
    before = audit.snapshot(member)
    for name, value in values.items():
        setattr(member, name, value)
    changes = audit.diff(before, audit.snapshot(member))
    if changes:
        member.save()
        audit.record(
            actor=_actor(actor),
            action=AuditAction.UPDATE,
            instance=member,
            changes=changes,
            organisation=group.organisation,
        )
    return member


@transaction.atomic
def do_remove_member(actor: User | None, member: GroupMember) -> None:
    before = audit.snapshot(member)
    audit.record_delete(_actor(actor), member, before, member.group.organisation)
    member.delete()


@transaction.atomic
def do_create_collection(actor: User | None, group: SharingGroup, **values: Any) -> Collection:
    collection = Collection(group=group, created_by=_actor(actor), **values)
    collection.full_clean()
    collection.save()
    audit.record_create(_actor(actor), collection, group.organisation)
    return collection


@transaction.atomic
def do_update_collection(actor: User | None, collection: Collection, **values: Any) -> Collection:
    before = audit.snapshot(collection)
    for name in COLLECTION_FIELDS:
        if name in values:
            setattr(collection, name, values[name])
    audit.save_versioned_update(_actor(actor), collection, before, collection.group.organisation)
    return collection


# -- partner credentials ---------------------------------------------------------------------------------------


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    """The stored form of a partner secret. The secret is 256 random bits, so one SHA-256 is as safe as a slow
    password hash and keeps each TAXII request cheap (a partner pages with many requests)."""
    return "sha256$" + hashlib.sha256(secret.encode("utf-8")).hexdigest()


@transaction.atomic
def do_issue_credential(
    actor: User | None, issuer: Organisation, holder: Organisation, name: str
) -> tuple[PartnerCredential, str]:
    """A new credential for ``holder`` and its secret, which is not stored and cannot be shown again."""
    secret = _new_secret()
    credential = PartnerCredential(
        issuer=issuer, holder=holder, name=name, key=hash_secret(secret), created_by=_actor(actor)
    )
    credential.full_clean()
    credential.save()
    audit.record_create(_actor(actor), credential, issuer)
    return credential, secret


@transaction.atomic
def do_rotate_credential(actor: User | None, credential: PartnerCredential) -> str:
    """A new secret for the credential (the old one stops working at once)."""
    if credential.revoked_at is not None:
        raise ValidationError(_("A revoked credential cannot be rotated; issue a new one."))
    secret = _new_secret()
    credential.key = hash_secret(secret)
    credential.rotated_at = timezone.now()
    credential.save(update_fields=["key", "rotated_at"])
    audit.record(
        actor=_actor(actor),
        action=AuditAction.UPDATE,
        instance=credential,
        changes={"secret": ["(old)", "(rotated)"], "rotated_at": [None, credential.rotated_at.isoformat()]},
        organisation=credential.issuer,
    )
    return secret


@transaction.atomic
def do_revoke_credential(actor: User | None, credential: PartnerCredential) -> PartnerCredential:
    if credential.revoked_at is not None:
        return credential
    credential.revoked_at = timezone.now()
    credential.revoked_by = _actor(actor)
    credential.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(
        actor=_actor(actor),
        action=AuditAction.UPDATE,
        instance=credential,
        changes={"revoked_at": [None, credential.revoked_at.isoformat()]},
        organisation=credential.issuer,
    )
    return credential


def note_credential_used(credential: PartnerCredential) -> None:
    """Keep the credential's last use (at most one write a minute)."""
    now = timezone.now()
    if credential.last_used_at is None or now - credential.last_used_at > dt.timedelta(minutes=1):
        PartnerCredential.objects.filter(pk=credential.pk).update(last_used_at=now)
        credential.last_used_at = now


# -- objects into a collection -------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What became of the objects handed to :func:`add_objects`: added, already held, failed (with why)."""

    added: list[dict[str, str]] = field(default_factory=list)
    unchanged: list[dict[str, str]] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)

    @property
    def successes(self) -> list[dict[str, str]]:
        return [*self.added, *self.unchanged]


def _next_date_added(collection: Collection, last: dt.datetime | None) -> dt.datetime:
    now = timezone.now()
    if last is not None and now <= last:
        return last + dt.timedelta(microseconds=1)
    return now


def _refresh_version_flags(collection: Collection, stix_ids: Iterable[str]) -> None:
    ids = sorted(set(stix_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        bounds = (
            SharedObject.objects.filter(collection=collection, stix_id__in=chunk)
            .values("stix_id")
            .annotate(first=Min("version_at"), last=Max("version_at"))
        )
        rows = SharedObject.objects.filter(collection=collection, stix_id__in=chunk)
        rows.update(is_first=False, is_latest=False)
        for bound in bounds:
            rows.filter(stix_id=bound["stix_id"], version_at=bound["first"]).update(is_first=True)
            rows.filter(stix_id=bound["stix_id"], version_at=bound["last"]).update(is_latest=True)


def _held_versions(collection: Collection, stix_ids: list[str]) -> tuple[set[tuple[str, str]], set[str]]:
    """The (id, version) pairs the collection holds of ``stix_ids``, and the ids it holds any version of:
    one query for an envelope of up to the database's number of parameters (998 ids on SQLite)."""
    held: set[tuple[str, str]] = set()
    size = (connection.features.max_query_params or len(stix_ids) + 1) - 1
    meta = SharedObject._meta
    quote = connection.ops.quote_name
    fields: dict[str, Any] = {name: meta.get_field(name) for name in ("collection", "stix_id", "version")}
    columns = {name: quote(model_field.column) for name, model_field in fields.items()}
    # Written out rather than through ``stix_id__in``: the ORM prepares each of the thousand values through
    # the field (a fifth of the cost of adding an envelope, measured by bench/bench_taxii.py). Table and
    # column names come from the model and are quoted; every value is a parameter.
    head = (
        f"SELECT {columns['stix_id']}, {columns['version']} FROM {quote(meta.db_table)} "  # noqa: S608
        f"WHERE {columns['collection']} = %s AND {columns['stix_id']} IN "
    )
    key = fields["collection"].get_db_prep_save(collection.pk, connection)
    with connection.cursor() as cursor:
        for start in range(0, len(stix_ids), size):
            chunk = stix_ids[start : start + size]
            cursor.execute(head + "(" + ", ".join(["%s"] * len(chunk)) + ")", [key, *chunk])
            held.update((str(stix_id), str(version)) for stix_id, version in cursor.fetchall())
    return held, {stix_id for stix_id, _version in held}


def _last_added(collection: Collection) -> dt.datetime | None:
    """When the collection's latest object was added (every object is added by :func:`add_objects`, each
    later than the one before)."""
    last: dt.datetime | None = SharedObject.objects.filter(collection=collection).aggregate(last=Max("date_added"))[
        "last"
    ]
    return last


Candidate = tuple[dict[str, str], dict[str, Any]]


def _candidates(objects: Iterable[Any], outcome: Outcome) -> list[Candidate]:
    """Each JSON object with its identity (id, version); anything else fails into ``outcome``."""
    candidates: list[Candidate] = []
    for obj in objects:
        if not isinstance(obj, dict):
            outcome.failed.append({"id": "", "version": "", "message": _("not a JSON object")})
            continue
        candidates.append(({"id": str(obj.get("id", "")), "version": stix_out.version_of(obj)}, obj))
    return candidates


def _screen(
    candidates: list[Candidate], held: set[tuple[str, str]], default_tlp: str, allowed: set[str], outcome: Outcome
) -> list[tuple[dict[str, str], str, dict[str, Any]]]:
    """The objects that may be stored, with their identity and TLP label; the others go into ``outcome``."""
    valid: list[tuple[dict[str, str], str, dict[str, Any]]] = []
    for identity, obj in candidates:
        # A version already held was validated when it was stored: it succeeds without being checked again,
        # so publishing an unchanged store again costs one query rather than a validation per object.
        if (identity["id"], identity["version"]) in held:
            outcome.unchanged.append(identity)
            continue
        problem = stix_out.problems_of(obj)
        if problem is not None:
            outcome.failed.append({**identity, "message": problem})
            continue
        label = stix_out.tlp_of(obj) or default_tlp
        if label not in allowed:
            message = _("%(label)s may not be shared in this collection") % {"label": label}
            outcome.failed.append({**identity, "message": message})
            continue
        valid.append((identity, label, obj))
    return valid


_INSERTED_COLUMNS = (
    "collection",
    "stix_id",
    "stix_type",
    "version",
    "version_at",
    "spec_version",
    "date_added",
    "tlp",
    "owner",
    "is_latest",
    "is_first",
    "body",
)


class _RowWriter:
    """The rows of new shared objects of one collection and owner, as one prepared ``INSERT`` writes them.

    What ``bulk_create`` would write, without building a model instance and preparing each value through its
    field's methods: each value is formatted as those methods would format it for this database, and the
    values every row shares (collection, owner, version flags) once. On SQLite a time is the text of the
    naive UTC time (``YYYY-MM-DD HH:MM:SS[.ffffff]``, what its operations write) and the body ``json.dumps``
    of the object; on another database (PostgreSQL) the same operations as the fields use.
    ``tests/sharing/test_insert_rows.py`` compares the rows written both ways, value by value.
    """

    def __init__(self, collection: Collection, owner: Organisation) -> None:
        meta = SharedObject._meta
        self.fields: list[Any] = [meta.get_field(name) for name in _INSERTED_COLUMNS]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in self.fields)
        # Table and column names come from the model and are quoted; every value is a parameter.
        self.sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(self.fields))})"  # noqa: S608
        get = dict(zip(_INSERTED_COLUMNS, self.fields, strict=True))
        self.collection = get["collection"].get_db_prep_save(collection.pk, connection)
        self.owner = get["owner"].get_db_prep_save(owner.pk, connection)
        self.flag = get["is_latest"].get_db_prep_save(True, connection)  # a new object is its first and latest
        self.rows: list[tuple[Any, ...]] = []
        encoder = get["body"].encoder
        ops = connection.ops
        self._body: Callable[[Any], Any]
        if connection.vendor == "sqlite" and settings.USE_TZ and _is_utc(connection.timezone):
            self._time = _sqlite_time
            self._body = json.dumps if encoder is None else functools.partial(json.dumps, cls=encoder)
        else:
            self._time = ops.adapt_datetimefield_value
            self._body = functools.partial(ops.adapt_json_value, encoder=encoder)

    def add(
        self,
        stix_id: str,
        kind: str,
        version: str,
        version_at: dt.datetime,
        spec_version: str,
        date_added: dt.datetime,
        label: str,
        body: Any,
    ) -> None:
        time = self._time
        self.rows.append(
            (
                self.collection,
                stix_id,
                kind,
                version,
                time(version_at),
                spec_version,
                time(date_added),
                label,
                self.owner,
                self.flag,
                self.flag,
                self._body(body),
            )
        )

    def write(self) -> None:
        with connection.cursor() as cursor:
            for start in range(0, len(self.rows), 500):
                cursor.executemany(self.sql, self.rows[start : start + 500])
        self.rows = []


def _is_utc(zone: dt.tzinfo | None) -> bool:
    return zone is not None and zone.utcoffset(None) == dt.timedelta(0)


def _sqlite_time(value: dt.datetime) -> Any:
    """An aware time as SQLite's operations write it (naive in UTC, as text); any other through them."""
    if value.tzinfo is dt.UTC:
        return str(value.replace(tzinfo=None))
    return connection.ops.adapt_datetimefield_value(value)


def add_objects(
    collection: Collection,
    objects: Iterable[Any],
    *,
    owner: Organisation,
    default_tlp: str,
    allowed_labels: Iterable[str] | None = None,
) -> Outcome:
    """Validate and store ``objects`` in ``collection``.

    Every object is validated first; then the valid ones are written in one transaction. An object that is
    not valid STIX 2.1, or is marked with a label outside ``allowed_labels``, fails with its reason and
    nothing of it is stored; a version already held succeeds without change (TAXII 2.1, 5.4). An object
    without a TLP marking takes ``default_tlp``. ``Outcome.added`` names (id, version) every object stored.
    """
    allowed = set(allowed_labels) if allowed_labels is not None else set(TLP.values)
    outcome = Outcome()
    candidates = _candidates(objects, outcome)
    stix_ids = sorted({identity["id"] for identity, _obj in candidates})
    # The versions held are read once, before validating (read first, when the latest was added): under
    # the lock they are read again only if an object was added or the latest removed in between.
    seen_last = _last_added(collection)
    held, held_ids = _held_versions(collection, stix_ids)
    valid = _screen(candidates, held, default_tlp, allowed, outcome)
    with transaction.atomic():
        locked = Collection.objects.select_for_update().get(pk=collection.pk)
        last = _last_added(locked)
        if last != seen_last:
            held, held_ids = _held_versions(locked, stix_ids)
        writer = _RowWriter(locked, owner)
        new_ids: Counter[str] = Counter()
        parse_timestamp = stix_out.parse_timestamp
        # One reading of the clock for the envelope: each new object is a microsecond after the one before,
        # the first later than the collection's latest (under the lock: unique and increasing).
        added_at = _next_date_added(locked, last)
        step = dt.timedelta(microseconds=1)
        for identity, label, obj in valid:
            stix_id, version = identity["id"], identity["version"]
            key = (stix_id, version)
            if key in held:
                outcome.unchanged.append(identity)
                continue
            held.add(key)
            spec_version = obj.get("spec_version", "2.1")
            writer.add(
                stix_id,
                str(obj["type"]),
                version,
                parse_timestamp(version),
                spec_version if type(spec_version) is str else str(spec_version),
                added_at,
                label,
                obj,
            )
            added_at += step
            new_ids[stix_id] += 1
            outcome.added.append(identity)
        writer.write()
        # A new object alone in its id is its own first and latest version (the defaults); only ids with
        # more than one version need their flags worked out again.
        _refresh_version_flags(locked, [i for i, n in new_ids.items() if n > 1 or i in held_ids])
    return outcome


@transaction.atomic
def do_receive_envelope(
    credential: PartnerCredential, collection: Collection, objects: list[Any], requested: dt.datetime
) -> Status:
    """Store the objects a partner POSTed and the TAXII status of the request (audited as one create)."""
    allowed = labels_released_to(standing=Standing.OWNER, role=None, group_ceiling=collection.group.tlp_ceiling)
    outcome = add_objects(
        collection, objects, owner=credential.holder, default_tlp=collection.default_tlp, allowed_labels=allowed
    )
    status = Status.objects.create(
        collection=collection,
        credential=credential,
        request_timestamp=requested,
        total_count=len(objects),
        success_count=len(outcome.successes),
        failure_count=len(outcome.failed),
        successes=outcome.successes,
        failures=outcome.failed,
    )
    audit.record(
        actor=None,
        action=AuditAction.CREATE,
        instance=status,
        changes={
            "collection": [None, str(collection.pk)],
            "credential": [None, str(credential.pk)],
            "added": [None, len(outcome.added)],
            "unchanged": [None, len(outcome.unchanged)],
            "failed": [None, len(outcome.failed)],
        },
        organisation=collection.group.organisation,
    )
    added = list(outcome.added)
    transaction.on_commit(lambda: envelope_stored.send(Collection, collection=collection, status=status, added=added))
    return status


@transaction.atomic
def do_delete_objects(credential: PartnerCredential, collection: Collection, rows: list[SharedObject]) -> int:
    """Delete versions of an object from a collection (TAXII delete), audited as one entry."""
    if not rows:
        return 0
    stix_ids = {row.stix_id for row in rows}
    versions = sorted(row.version for row in rows)
    SharedObject.objects.filter(pk__in=[row.pk for row in rows]).delete()
    _refresh_version_flags(collection, stix_ids)
    audit.record(
        actor=None,
        action=AuditAction.DELETE,
        instance=collection,
        changes={
            "objects": [sorted(stix_ids), None],
            "versions": [versions, None],
            "credential": [str(credential.pk), None],
        },
        organisation=collection.group.organisation,
    )
    return len(rows)


def record_release(
    collection: Collection,
    labels: Mapping[str, int] | Counter[str],
    *,
    recipient: Organisation | None,
    credential: PartnerCredential | None,
    channel: str = "taxii",
) -> Release | None:
    """Write the release decision of one response: what went out, counted by label (nothing when nothing did)."""
    counts = {label: int(n) for label, n in labels.items() if n}
    if not counts:
        return None
    with transaction.atomic():
        release = Release.objects.create(
            collection=collection, recipient=recipient, credential=credential, channel=channel, counts=counts
        )
        audit.record(
            actor=None,
            action=AuditAction.CREATE,
            instance=release,
            changes={
                "collection": [None, str(collection.pk)],
                "recipient": [None, str(recipient) if recipient else None],
                "channel": [None, channel],
                "counts": [None, counts],
            },
            organisation=collection.group.organisation,
        )
    return release


# -- TAXII subscriptions (pulled by cyberplan.sharing.client) ----------------------------------------------------

SUBSCRIPTION_FIELDS = ("name", "api_root_url", "collection_id", "username", "tlp", "interval_minutes", "active")


@transaction.atomic
def do_create_subscription(
    actor: User | None, organisation: Organisation, *, password: str = "", **values: Any
) -> Subscription:
    subscription = Subscription(organisation=organisation, created_by=_actor(actor), **values)
    subscription.keep_password(password)
    subscription.full_clean()
    subscription.save()
    audit.record_create(_actor(actor), subscription, organisation)
    return subscription


def _save_with_password(
    actor: User | None, instance: Subscription | Push, before: dict[str, Any], password: str
) -> None:
    """Save a changed subscription or push; a new ``password`` is stored encrypted and noted in the audit log
    as changed, never with its value (an empty one keeps the stored password)."""
    if password:
        instance.keep_password(password)
    changes = audit.save_versioned_update(_actor(actor), instance, before, instance.organisation)
    if password:
        if not changes:  # the password is never in a snapshot: saved alone
            instance.save(update_fields=["password"])
        audit.record(
            actor=_actor(actor),
            action=AuditAction.UPDATE,
            instance=instance,
            changes={"secret": ["(old)", "(changed)"]},
            organisation=instance.organisation,
        )


@transaction.atomic
def do_update_subscription(
    actor: User | None, subscription: Subscription, *, password: str = "", **values: Any
) -> Subscription:
    """Change a subscription; an empty ``password`` keeps the one stored (it is never shown again)."""
    before = audit.snapshot(subscription)
    for name in SUBSCRIPTION_FIELDS:
        if name in values:
            setattr(subscription, name, values[name])
    if (subscription.api_root_url, subscription.collection_id) != (before["api_root_url"], before["collection_id"]):
        subscription.added_after = ""  # another partner collection: pulled from its beginning
    _save_with_password(actor, subscription, before, password)
    return subscription


@transaction.atomic
def do_delete_subscription(actor: User | None, subscription: Subscription) -> None:
    audit.record_delete(_actor(actor), subscription, audit.snapshot(subscription), subscription.organisation)
    subscription.delete()


# -- TAXII pushes (sent by cyberplan.sharing.push) ------------------------------------------------------------

PUSH_FIELDS = (
    "name",
    "collection",
    "recipient",
    "api_root_url",
    "partner_collection_id",
    "username",
    "interval_minutes",
    "active",
)

PUSH_DESTINATION = ("collection", "recipient", "api_root_url", "partner_collection_id")


def recipient_reads(collection: Collection, recipient_id: int) -> bool:
    """Whether an organisation may read the collection at all: its group's owner, a member that reads, or any
    partner when the collection is open to every partner (the same as a credential of it on the TAXII server)."""
    if collection.group.organisation_id == recipient_id or collection.open_to_all_partners:
        return True
    return GroupMember.objects.filter(group=collection.group, organisation_id=recipient_id, can_read=True).exists()


def _check_push(push: Push) -> None:
    errors: dict[str, str] = {}
    if push.collection.group.organisation_id != push.organisation_id:
        errors["collection"] = _("Choose a collection of the organisation's own sharing groups.")
    if push.recipient_id == push.organisation_id:
        errors["recipient"] = _("A push goes to a partner: choose the partner's organisation, not your own.")
    elif not recipient_reads(push.collection, push.recipient_id):
        errors["recipient"] = _(
            "This organisation may not read the collection: add it to the sharing group (may read) first."
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def do_create_push(actor: User | None, organisation: Organisation, *, password: str = "", **values: Any) -> Push:
    push = Push(organisation=organisation, created_by=_actor(actor), **values)
    push.keep_password(password)
    push.full_clean()
    _check_push(push)
    push.save()
    audit.record_create(_actor(actor), push, organisation)
    return push


@transaction.atomic
def do_update_push(actor: User | None, push: Push, *, password: str = "", **values: Any) -> Push:
    """Change a push; an empty ``password`` keeps the one stored. Another collection, recipient or partner
    collection starts again from the beginning of the collection."""
    before = audit.snapshot(push)
    for name in PUSH_FIELDS:
        if name in values:
            setattr(push, name, values[name])
    if any(audit.snapshot(push, PUSH_DESTINATION)[name] != before[name] for name in PUSH_DESTINATION):
        push.pushed_up_to = None  # another collection, recipient or partner collection: from the beginning
    _check_push(push)
    _save_with_password(actor, push, before, password)
    return push


@transaction.atomic
def do_delete_push(actor: User | None, push: Push) -> None:
    audit.record_delete(_actor(actor), push, audit.snapshot(push), push.organisation)
    push.delete()
