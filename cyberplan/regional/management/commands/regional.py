"""``cyberplan regional``: build a statistics package (member side), or receive members' packages (regional side)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cyberplan.core.choices import OrganisationType
from cyberplan.core.models import Organisation, User
from cyberplan.regional import pooled_command
from cyberplan.regional.actions import do_approve, do_build_draft
from cyberplan.regional.disclosure import DEFAULT_THRESHOLD
from cyberplan.regional.intake import do_receive, max_bytes
from cyberplan.regional.models import PackageRefusal
from cyberplan.regional.package import PACKAGE_LABELS
from cyberplan.regional.preview import suppressed_count
from cyberplan.regional.taxii_intake import do_receive_collection
from cyberplan.sharing.models import Collection


def is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


class Command(BaseCommand):
    help = "Build a period's statistics package (member side), or receive a member's package (regional side)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        build = sub.add_parser("package", help="Build a period's package as a draft and write the file.")
        build.add_argument("--period", required=True, help="A year (2026) or a quarter (2026-Q2).")
        build.add_argument("--output", required=True, help="Where to write the package file (a STIX 2.1 bundle).")
        build.add_argument(
            "--organisation", help="The member organisation's short name (default: the only national authority)."
        )
        build.add_argument("--threshold", type=int, default=DEFAULT_THRESHOLD, help="Counts below it are suppressed.")
        build.add_argument("--tlp", default="green", choices=PACKAGE_LABELS, help="The package's label (never red).")
        build.add_argument("--share-assessment", action="store_true", help="Include the assessment's stage per factor.")
        build.add_argument("--approve", action="store_true", help="Approve the draft too (needs --by).")
        build.add_argument("--by", help="User name recorded in the audit log (default: system).")
        receive = sub.add_parser("receive", help="Receive a member's package file (regional programme side).")
        receive.add_argument("file", help="The package file (a STIX 2.1 bundle) a member sent.")
        receive.add_argument("--period", required=True, help="The period packages are expected for.")
        receive.add_argument(
            "--programme", help="The regional programme's short name (default: the only regional organisation)."
        )
        receive.add_argument("--by", help="User name recorded in the audit log (default: system).")
        pushed = sub.add_parser(
            "receive-collection", help="Receive the packages members pushed to a TAXII collection of the programme."
        )
        pushed.add_argument("collection", help="The collection's id (a sharing group of the programme owns it).")
        pushed.add_argument("--period", required=True, help="The period packages are expected for.")
        pushed.add_argument("--programme", help="The regional programme's short name (default: the only one).")
        pushed.add_argument("--by", help="User name recorded in the audit log (default: system).")
        self._add_transport(sub)
        pooled_command.add_parsers(sub)

    def _add_transport(self, sub: Any) -> None:
        send = sub.add_parser("send", help="Send the period's approved package by TAXII (member side).")
        send.add_argument("--period", required=True, help="A year (2026) or a quarter (2026-Q2).")
        send.add_argument("--push", required=True, help="The name of the TAXII push to the regional programme.")
        send.add_argument("--organisation", help="The member organisation's short name (default: the only one).")
        send.add_argument("--wait", type=float, help="Seconds to wait for the regional programme's answer.")
        send.add_argument("--by", required=True, help="User name of the person who sends (audited).")
        take = sub.add_parser(
            "take-in", help="Take packages in as they arrive in a TAXII collection of the programme (regional side)."
        )
        take.add_argument("collection", help="The collection's id (a sharing group of the programme owns it).")
        take.add_argument("--period", required=True, help="The period packages are expected for.")
        take.add_argument("--by", help="User name recorded in the audit log (default: system).")

    def _send(self, options: dict[str, Any]) -> None:
        from cyberplan.regional.access import may_send
        from cyberplan.regional.choices import PackageState, SendState
        from cyberplan.regional.models import StatisticsPackage
        from cyberplan.regional.sending import do_send
        from cyberplan.sharing.models import Push

        organisation = self._organisation(options.get("organisation"))
        actor = self._actor(options["by"])
        package = StatisticsPackage.objects.filter(
            organisation=organisation, period=options["period"].strip(), state=PackageState.APPROVED
        ).first()
        if package is None:
            raise CommandError(f"--period: {organisation.slug} has no approved package for {options['period']}.")
        push = Push.objects.filter(organisation=organisation, name=options["push"]).first()
        if push is None:
            raise CommandError(f"--push: {organisation.slug} has no TAXII push {options['push']!r}.")
        if actor is None or not may_send(actor, package):
            raise CommandError("--by: this user may not send the organisation's packages.")
        try:
            sending = do_send(actor, package, push, answer_seconds=options.get("wait"))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        line = f"{package.period} version {package.version}: {sending.get_state_display()}"
        if sending.state in (SendState.SENT, SendState.ACCEPTED):
            self.stdout.write(f"{line} {sending.message}".strip())
            return
        raise CommandError(f"{line}: {sending.message}")

    def _take_in(self, options: dict[str, Any]) -> None:
        from cyberplan.regional.intake import do_register_intake

        collection = (
            Collection.objects.filter(pk=options["collection"]).first() if is_uuid(options["collection"]) else None
        )
        if collection is None:
            raise CommandError(f"collection: there is no collection {options['collection']!r}.")
        try:
            do_register_intake(self._actor(options.get("by")), collection, options["period"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(f"packages arriving in {collection.pk} are taken in for {options['period'].strip()}.")

    def _organisation(self, slug: str | None) -> Organisation:
        if slug:
            found = Organisation.objects.filter(slug=slug).first()
            if found is None:
                raise CommandError(f"--organisation: there is no organisation {slug!r}.")
            return found
        authorities = list(Organisation.objects.filter(type=OrganisationType.NATIONAL_AUTHORITY, is_demo=False)[:2])
        if len(authorities) != 1:
            raise CommandError(
                "--organisation: name the member organisation (there is not exactly one national authority)."
            )
        return authorities[0]

    def _actor(self, name: str | None) -> User | None:
        if not name:
            return None
        actor = User.objects.filter(username=name).first()
        if actor is None:
            raise CommandError(f"--by: there is no user {name!r}.")
        return actor

    def _programme(self, slug: str | None) -> Organisation:
        found = Organisation.objects.filter(type=OrganisationType.REGIONAL_BODY)
        programmes = list(found.filter(slug=slug) if slug else found[:2])
        if len(programmes) != 1:
            raise CommandError(
                f"--programme: there is no regional programme {slug!r}."
                if slug
                else "--programme: name the regional programme (there is not exactly one regional organisation)."
            )
        return programmes[0]

    def _receive(self, options: dict[str, Any]) -> None:
        programme = self._programme(options.get("programme"))
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"file: {path} does not exist.")
        if path.stat().st_size > max_bytes():
            raise CommandError(
                f"file: {path} is larger than the limit of {max_bytes()} bytes for a statistics package."
            )
        try:
            outcome = do_receive(
                self._actor(options.get("by")), programme, options["period"], path.name, path.read_bytes()
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        if isinstance(outcome, PackageRefusal):
            raise CommandError(f"refused ({outcome.code}): {outcome.reason}")
        accepted = outcome
        self.stdout.write(
            f"accepted: {accepted.member.country} {accepted.period} version {accepted.version}, "
            f"TLP:{accepted.tlp.upper()}, sha256 {accepted.content_hash}"
        )

    def _receive_collection(self, options: dict[str, Any]) -> None:
        programme = self._programme(options.get("programme"))
        collection = (
            Collection.objects.filter(pk=options["collection"]).first() if is_uuid(options["collection"]) else None
        )
        if collection is None:
            raise CommandError(f"collection: there is no collection {options['collection']!r}.")
        try:
            outcomes = do_receive_collection(self._actor(options.get("by")), programme, collection, options["period"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        for outcome in outcomes:
            if isinstance(outcome, PackageRefusal):
                self.stdout.write(f"refused ({outcome.code}): {outcome.reason}")
            else:
                self.stdout.write(f"accepted: {outcome.member.country} {outcome.period} version {outcome.version}")
        self.stdout.write(f"{len(outcomes)} new package(s) in the collection.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] in pooled_command.ACTIONS:
            pooled_command.handle(options, self.stdout, self._organisation, self._programme, self._actor)
            return
        if options["action"] == "receive":
            self._receive(options)
            return
        if options["action"] == "receive-collection":
            self._receive_collection(options)
            return
        if options["action"] in ("send", "take-in"):
            (self._send if options["action"] == "send" else self._take_in)(options)
            return
        organisation = self._organisation(options.get("organisation"))
        actor = self._actor(options.get("by"))
        if options["approve"] and actor is None:
            raise CommandError("--approve: say who approves with --by.")
        try:
            package = do_build_draft(
                actor,
                organisation,
                options["period"],
                tlp=options["tlp"],
                threshold=options["threshold"],
                share_assessment=options["share_assessment"],
            )
            if options["approve"]:
                package = do_approve(actor, package)
        except ValidationError as exc:
            fields = getattr(exc, "error_dict", None)
            text = (
                "; ".join(f"--{k}: {' '.join(str(m) for e in v for m in e.messages)}" for k, v in fields.items())
                if fields
                else " ".join(exc.messages)
            )
            raise CommandError(text) from None
        Path(options["output"]).write_text(package.content, encoding="utf-8")
        content = package.package()
        parts = [
            name
            for name in ("threats", "incidents", "exposure", "assessment", "strategy", "legal", "training")
            if name in content
        ]
        self.stdout.write(
            f"{organisation.slug} {package.period} version {package.version} ({package.state}), TLP:{package.tlp.upper()}, "
            f"threshold {package.threshold}: {', '.join(parts) or 'no figures'}; {suppressed_count(content)} cells suppressed; "
            f"sha256 {package.content_hash} -> {options['output']}"
        )
