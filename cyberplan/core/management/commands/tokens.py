"""``cyberplan tokens create|list|revoke``: API tokens for operators, for example for a service account."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cyberplan.core import tokens
from cyberplan.core.actions import do_create_api_token, do_revoke_api_token
from cyberplan.core.models import User
from cyberplan.core.tokens import APIToken


def _user(username: str) -> User:
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise CommandError(f"There is no user named {username!r}.") from None


def _when(value: datetime.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "never"


class Command(BaseCommand):
    help = "Create, list and revoke API tokens. The secret of a new token is printed once and never stored."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token for a user and print its secret once.")
        create.add_argument("--user", required=True, help="User name of the token's owner.")
        create.add_argument("--name", required=True, help="What the token is for.")
        create.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"Days until it expires (default {tokens.DEFAULT_LIFETIME_DAYS}, at most CYBERPLAN_API_TOKEN_MAX_DAYS).",
        )
        create.add_argument("--read-only", action="store_true", help="The token may only read.")
        create.add_argument(
            "--network",
            action="append",
            default=[],
            metavar="CIDR",
            help="An address or network the token may be used from; repeat for several (default: anywhere).",
        )
        listing = sub.add_parser("list", help="List tokens (never their secrets).")
        listing.add_argument("--user", help="Only this user's tokens.")
        listing.add_argument("--all", action="store_true", help="Include expired and revoked tokens.")
        revoke = sub.add_parser("revoke", help="Revoke a token at once.")
        revoke.add_argument("id", type=int, help="The token's id, as `cyberplan tokens list` shows it.")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _create(self, options: dict[str, Any]) -> None:
        user = _user(options["user"])
        days = options["days"] if options["days"] is not None else tokens.default_lifetime_days()
        if days < 1:
            raise CommandError("--days must be at least 1.")
        try:
            token, secret = do_create_api_token(
                None,
                user,
                name=options["name"],
                expires_at=timezone.now() + datetime.timedelta(days=days),
                read_only=options["read_only"],
                allowed_networks=options["network"],
            )
        except ValidationError as exc:
            field_names = {"name": "--name", "expires_at": "--days", "allowed_networks": "--network"}
            problems = [
                f"{field_names.get(field, field)}: {message}"
                for field, messages in exc.message_dict.items()
                for message in messages
            ]
            raise CommandError("; ".join(problems)) from None
        self.stderr.write(
            f"Created token {token.pk} ({token.name}) for {user.get_username()}, expiring {_when(token.expires_at)}. "
            "The secret follows; it is shown only this once."
        )
        self.stdout.write(secret)

    def _list(self, options: dict[str, Any]) -> None:
        queryset = APIToken.objects.select_related("user").order_by("user__username", "-created_at")
        if options.get("user"):
            queryset = queryset.filter(user=_user(options["user"]))
        if not options["all"]:
            queryset = queryset.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())
        self.stdout.write(
            f"{'id':>5}  {'user':<16} {'name':<24} {'prefix':<13} {'scope':<10} {'expires':<16} {'last used':<16} "
            "status   networks"
        )
        for t in queryset:
            self.stdout.write(
                f"{t.pk:>5}  {t.user.get_username():<16} {t.name[:24]:<24} {t.prefix:<13} "
                f"{'read' if t.read_only else 'write':<10} {_when(t.expires_at):<16} {_when(t.last_used_at):<16} "
                f"{t.status.value:<8} {','.join(t.allowed_networks) or 'anywhere'}"
            )

    def _revoke(self, options: dict[str, Any]) -> None:
        try:
            token = APIToken.objects.select_related("user").get(pk=options["id"])
        except APIToken.DoesNotExist:
            raise CommandError(f"There is no token with id {options['id']}.") from None
        if token.revoked_at is not None:
            self.stdout.write(f"Token {token.pk} ({token.name}) was already revoked on {_when(token.revoked_at)}.")
            return
        do_revoke_api_token(None, token)
        self.stdout.write(f"Revoked token {token.pk} ({token.name}) of {token.user.get_username()}.")
