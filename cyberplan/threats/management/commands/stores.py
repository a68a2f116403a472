"""``cyberplan stores list|grant|revoke``: who reads which organisation's event store, from the command line."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cyberplan.core.models import Organisation, User
from cyberplan.threats.actions import do_grant_store_access, do_revoke_store_access
from cyberplan.threats.models import StoreGrant

CEILINGS = ["clear", "green", "amber"]


def _organisation(slug: str, option: str) -> Organisation:
    try:
        return Organisation.objects.get(slug=slug)
    except Organisation.DoesNotExist:
        raise CommandError(f"{option}: there is no organisation with the short name {slug!r}.") from None


def _user(username: str | None) -> User | None:
    if not username:
        return None
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise CommandError(f"--by: there is no user {username!r}.") from None


def _refusal(error: ValidationError) -> CommandError:
    if hasattr(error, "error_dict"):
        return CommandError(
            " ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
        )
    return CommandError(" ".join(error.messages))


class Command(BaseCommand):
    help = "List, grant and revoke read access of one organisation to another's event store (audited)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="Grants given or received, live ones first.")
        listing.add_argument("--organisation", help="Only grants this organisation (short name) gave or received.")
        listing.add_argument("--all", action="store_true", help="Include revoked grants.")
        grant = sub.add_parser("grant", help="Let --to read the store of --owner up to --up-to.")
        revoke = sub.add_parser("revoke", help="End the live grant of --owner's store to --to.")
        for command in (grant, revoke):
            command.add_argument("--owner", required=True, help="Short name of the organisation whose store it is.")
            command.add_argument("--to", required=True, help="Short name of the organisation that reads it.")
            command.add_argument("--by", help="User name recorded in the audit log (default: system).")
        grant.add_argument("--up-to", required=True, choices=CEILINGS, help="The TLP ceiling of the grant.")
        grant.add_argument("--reason", required=True, help="Why the organisation may read the store.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            self._list(options.get("organisation"), options["all"])
            return
        owner = _organisation(options["owner"], "--owner")
        recipient = _organisation(options["to"], "--to")
        actor = _user(options.get("by"))
        try:
            if options["action"] == "grant":
                grant = do_grant_store_access(
                    actor, owner, recipient, ceiling=options["up_to"], reason=options["reason"]
                )
                self.stdout.write(
                    f"granted: {grant.recipient.slug} reads {grant.owner.slug} up to TLP:{grant.ceiling.upper()}"
                )
                return
            live = StoreGrant.objects.filter(owner=owner, recipient=recipient, revoked_at__isnull=True).first()
            if live is None:
                raise CommandError(f"{recipient.slug} has no live grant to the store of {owner.slug}.")
            do_revoke_store_access(actor, live)
        except ValidationError as error:
            raise _refusal(error) from None
        self.stdout.write(f"revoked: {recipient.slug} no longer reads {owner.slug}")

    def _list(self, slug: str | None, everything: bool) -> None:
        grants = StoreGrant.objects.select_related("owner", "recipient").order_by("revoked_at", "-granted_at")
        if slug:
            organisation = _organisation(slug, "--organisation")
            grants = grants.filter(owner=organisation) | grants.filter(recipient=organisation)
        if not everything:
            grants = grants.filter(revoked_at__isnull=True)
        self.stdout.write("owner\trecipient\tup to\tgranted\trevoked\treason")
        for grant in grants:
            revoked = grant.revoked_at.isoformat(timespec="seconds") if grant.revoked_at else "-"
            reason = " ".join(grant.reason.split())
            self.stdout.write(
                f"{grant.owner.slug}\t{grant.recipient.slug}\tTLP:{grant.ceiling.upper()}\t"
                f"{grant.granted_at.isoformat(timespec='seconds')}\t{revoked}\t{reason}"
            )
