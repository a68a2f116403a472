"""Pooled raw events: a member's export (member side), the pool's intake and the regional metric set (regional side).

A member that chooses to share raw events exports its own TLP:CLEAR and TLP:GREEN events
(:func:`export_events`); the file travels like a statistics package file (the sharing network does not carry
raw events). The regional programme pools it with :func:`do_pool` only if the export names a member of its
register, with the member's confirmed STIX identity, and the member is recorded as sharing raw events
(``Member.shares_events``); the file is then checked whole (:func:`.pooled_store.read_export`). Each
outcome, pooled or refused, is recorded (:class:`.pooled_models.PooledBatch`) and audited in one transaction;
a refused file leaves the pool as it was.

The regional metric set (:mod:`.pooled_metrics`) runs over the pooled events of the members that share them
today: a member that stops sharing drops out of the figures at once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cyberplan.analytics.engines import Engine
from cyberplan.analytics.engines import engine as make_engine
from cyberplan.analytics.periods import PeriodError, parse_period
from cyberplan.core import audit
from cyberplan.core.models import Organisation, User
from cyberplan.sharing.stix_out import Owner

from . import pooled_metrics
from .intake import check_programme
from .models import Member
from .pooled_models import PooledBatch
from .pooled_store import ExportClaims, PoolRefusedError, PoolStore, read_claims, read_export, write_export

#: The largest export file taken (pooled events are many: no web upload, the command reads a file).
MAX_EXPORT_BYTES = 20 * 1024 * 1024 * 1024


def pool_store(programme: Organisation) -> PoolStore:
    return PoolStore(Path(settings.CYBERPLAN_EVENTS_DIR) / f"regional-{programme.pk}" / "pool")


def member_identity(organisation: Organisation) -> str:
    """The STIX identity a member's packages and exports carry (as :mod:`.actions` builds it)."""
    return Owner(key=organisation.slug, name=organisation.name, since=organisation.created_at).identity_id


def export_events(organisation: Organisation, output: Path) -> int:
    """Write ``organisation``'s own TLP:CLEAR and TLP:GREEN events to the export file ``output``."""
    from cyberplan.threats.store import event_store

    country = str(organisation.country or "").upper()
    if not country:
        raise ValidationError({"organisation": _("The organisation has no country: set it before exporting.")})
    return write_export(event_store(organisation).files(), output, country, member_identity(organisation))


def _check_member(programme: Organisation, claims: ExportClaims) -> Member:
    member = Member.objects.filter(programme=programme, country=claims.country).first()
    if member is None:
        raise PoolRefusedError("unknown-member", f"{claims.country} is not a member of {programme.name}.")
    if not member.active:
        raise PoolRefusedError("inactive-member", f"The member {claims.country} is not active.")
    if not member.identity_id:
        raise PoolRefusedError(
            "identity-unconfirmed",
            f"The identity of {claims.country} is not confirmed yet: receive a package from it, or record its "
            "identity in the register, before pooling its events.",
        )
    if member.identity_id != claims.identity:
        raise PoolRefusedError(
            "forged-identity",
            f"The export claims to be from {claims.country} with identity {claims.identity}, but the register "
            f"knows {claims.country} as {member.identity_id}.",
        )
    if not member.shares_events:
        raise PoolRefusedError(
            "not-opted-in",
            f"{claims.country} has not chosen to share raw events with the programme (the register says so).",
        )
    return member


def _record(actor: User | None, batch: PooledBatch) -> PooledBatch:
    batch.received_by = actor if actor is not None and actor.pk else None
    batch.save()
    audit.record_create(batch.received_by, batch, batch.programme)
    return batch


def do_pool(actor: User | None, programme: Organisation, path: Path) -> PooledBatch:
    """Pool a member's export file, or refuse it whole; the outcome recorded and audited."""
    check_programme(programme)
    if path.stat().st_size > MAX_EXPORT_BYTES:
        raise ValidationError({"file": _("The file is larger than the limit for an event export.")})
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    batch = PooledBatch(programme=programme, content_hash=digest.hexdigest(), file_name=path.name[:200])
    with transaction.atomic():
        # One intake at a time per programme: the pool's "already there" check holds until the file is in.
        Organisation.objects.select_for_update().filter(pk=programme.pk).first()
        written: Path | None = None
        try:
            claims = read_claims(path)
            batch.claimed_country, batch.claimed_identity = claims.country, claims.identity[:100]
            batch.member = Member.objects.filter(programme=programme, country=claims.country).first()
            member = _check_member(programme, claims)
            table = read_export(path, claims)
            batch.rows = table.num_rows
            batch.added, written = pool_store(programme).add(member.country, table, batch.content_hash)
            batch.accepted = True
            return _record(actor, batch)
        except PoolRefusedError as refused:
            batch.code, batch.reason = refused.code, refused.reason
            return _record(actor, batch)
        except BaseException:
            if written is not None:
                written.unlink(missing_ok=True)
            raise


def sharing_members(programme: Organisation, countries: Iterable[str] = ()) -> list[Member]:
    """The active members that share raw events today (of ``countries`` only, when given)."""
    members = Member.objects.filter(programme=programme, active=True, shares_events=True)
    wanted = {c.upper() for c in countries}
    return [m for m in members.order_by("country") if not wanted or m.country in wanted]


def compute(
    programme: Organisation, period: str, engine_name: str = "duckdb", countries: Iterable[str] = ()
) -> pooled_metrics.RegionalResult:
    """The regional metric set of ``period`` over the pooled events of the members sharing them, on DuckDB
    (default) or Spark."""
    from .figures import announced_ipv4

    try:
        parsed = parse_period(period)
    except PeriodError as exc:
        raise ValidationError({"period": str(exc)}) from None
    members = [m.country for m in sharing_members(programme, countries)]
    if not members:
        raise ValidationError({"country": _("No active member shares raw events with the programme (of those named).")})
    paths = pool_store(programme).files(members)
    engine: Engine = make_engine(engine_name, **({"threads": 2} if engine_name == "duckdb" else {}))
    try:
        scope = pooled_metrics.regional_scope(parsed, members)
        addresses = {country: announced_ipv4(country) for country in members}
        return pooled_metrics.run(engine, pooled_metrics.pool_table(engine, paths), scope, addresses)
    finally:
        engine.close()
