"""``cyberplan sharing collections|publish|pull``: the collections, publishing into one, pulling subscriptions."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cyberplan.core.models import User
from cyberplan.sharing.client import do_pull, due_subscriptions
from cyberplan.sharing.jobs import do_request_pull
from cyberplan.sharing.models import Collection, Subscription
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

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "pull":
            self._pull(options)
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
