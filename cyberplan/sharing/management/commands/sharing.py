"""``cyberplan sharing collections|publish|pull|push|reencrypt``: the collections, publishing into one, pulling
subscriptions, pushing collections to partners, and encrypting stored partner passwords with the current key."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cyberplan.core.encryption import SecretUnreadableError, reencrypt
from cyberplan.core.models import User
from cyberplan.sharing.client import do_pull, due_subscriptions
from cyberplan.sharing.jobs import do_request_pull, do_request_push
from cyberplan.sharing.models import Collection, Push, Subscription
from cyberplan.sharing.publishing import do_publish


class Command(BaseCommand):
    help = "List the sharing network's collections, or publish what is shared now into one (audited)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("collections", help="Every collection: id, group, owner, what it holds, object versions.")
        publish = sub.add_parser("publish", help="Publish the owner's indicators or documents into a collection.")
        publish.add_argument("collection", help="The collection's id (see 'cyberplan sharing collections').")
        publish.add_argument("--by", help="User name recorded in the audit log (default: system).")
        pull = sub.add_parser("pull", help="Pull TAXII subscriptions: one now, or queue every due one for the worker.")
        pull.add_argument("subscription", nargs="?", type=int, help="A subscription's id: pull it now and say how.")
        pull.add_argument(
            "--due", action="store_true", help="Queue a pull job for every subscription whose interval has passed."
        )
        push = sub.add_parser("push", help="Push collections to partners: one now, or queue every due one.")
        push.add_argument("push", nargs="?", type=int, help="A push's id: push it now and say how.")
        push.add_argument(
            "--due", action="store_true", help="Queue a push job for every push whose interval has passed."
        )
        sub.add_parser(
            "reencrypt", help="Encrypt every stored partner password again with the first CYBERPLAN_SECRETS_KEY."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "pull":
            self._pull(options)
            return
        if options["action"] == "push":
            self._push(options)
            return
        if options["action"] == "reencrypt":
            self._reencrypt()
            return
        if options["action"] == "collections":
            for collection in Collection.objects.select_related("group", "group__organisation").order_by("created_at"):
                count = collection.shared_objects.count()
                self.stdout.write(
                    f"{collection.pk}  {collection.group.organisation.slug}/{collection.group.name}  "
                    f"{collection.title}  [{collection.content}]  {count} object versions"
                )
            return
        try:
            collection = Collection.objects.select_related("group__organisation").get(
                pk=uuid.UUID(options["collection"])
            )
        except (ValueError, Collection.DoesNotExist):
            raise CommandError(f"collection: there is no collection {options['collection']!r}.") from None
        actor = None
        if options.get("by"):
            actor = User.objects.filter(username=options["by"]).first()
            if actor is None:
                raise CommandError(f"--by: there is no user {options['by']!r}.")
        summary = do_publish(actor, collection)
        self.stdout.write(
            f"{collection.title}: {summary.added} added, {summary.unchanged} already shared, "
            f"{len(summary.failed)} not valid"
        )
        for failure in summary.failed:
            self.stderr.write(f"  {failure['id']}: {failure['message']}")
        if summary.failed:
            raise CommandError("some objects were not valid STIX 2.1 and were not shared")

    def _pull(self, options: dict[str, Any]) -> None:
        """``--due`` is what a scheduler (cron, a systemd timer) runs every few minutes."""
        if options["due"]:
            due = due_subscriptions()
            for subscription in due:
                do_request_pull(None, subscription)
            self.stdout.write(f"{len(due)} pull job(s) queued")
            return
        found = Subscription.objects.filter(pk=options["subscription"] or 0).first()
        if found is None:
            raise CommandError("give a subscription's id, or --due")
        outcome = do_pull(None, found)
        self.stdout.write(
            f"{found.name}: {outcome.state}; {outcome.received} objects received, {outcome.stored} events "
            f"stored, {outcome.quarantined} quarantined"
        )
        if outcome.error:
            raise CommandError(outcome.error)

    def _push(self, options: dict[str, Any]) -> None:
        """``--due`` is what a scheduler (cron, a systemd timer) runs every few minutes, with ``pull --due``."""
        from cyberplan.sharing.push import do_push, due_pushes  # the client loads only for this action

        if options["due"]:
            due = due_pushes()
            for found in due:
                do_request_push(None, found)
            self.stdout.write(f"{len(due)} push job(s) queued")
            return
        push = Push.objects.select_related("collection__group", "recipient").filter(pk=options["push"] or 0).first()
        if push is None:
            raise CommandError("give a push's id, or --due")
        outcome = do_push(None, push)
        self.stdout.write(
            f"{push.name}: {outcome.state}; {outcome.sent} objects sent, {outcome.succeeded} added by the partner, "
            f"{outcome.failed} refused, {outcome.pending} pending, {outcome.withheld} withheld by the release rule"
        )
        for failure in outcome.failures:
            self.stderr.write(f"  {failure.get('id', '')}: {failure.get('message', '')}")
        if outcome.error:
            raise CommandError(outcome.error)

    def _reencrypt(self) -> None:
        """After a new key is put first in CYBERPLAN_SECRETS_KEY, the old ones after it: then drop the old ones."""
        done = unreadable = 0
        for model in (Subscription, Push):
            for pk, token in model.objects.exclude(password="").values_list("pk", "password"):
                try:
                    model.objects.filter(pk=pk).update(password=reencrypt(token))
                except SecretUnreadableError:
                    unreadable += 1
                    self.stderr.write(f"{model._meta.model_name} {pk}: no configured key opens its password")
                else:
                    done += 1
        self.stdout.write(f"{done} stored password(s) encrypted with the current key")
        if unreadable:
            raise CommandError(f"{unreadable} password(s) could not be decrypted: enter them again on their pages")
