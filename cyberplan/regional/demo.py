"""The demo's regional programme: an illustrative regional organisation and synthetic member states.

Five synthetic national authorities of the region (Argentina, Chile, Colombia, Costa Rica, Uruguay), each labelled
synthetic, get synthetic events of their own country's address space (the generator of ``cyberplan synth
--country XX``); with Paraguay's MITIC from the demo workspace they are the programme's six members. Each
member's 2026 package is built with the real package builder, approved, and received by the programme's real
intake, so the regional pages show real structure. Building twice adds nothing: a member whose package the
programme already holds for the period is left as it is.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import ValidationError

from cyberplan.core import actions as core_actions
from cyberplan.core.choices import OrganisationType, Role
from cyberplan.core.models import Organisation, Sector, User

from .models import Member, PackageRefusal, ReceivedPackage

PERIOD = "2026"
PROGRAMME_SLUG = "regional-programme"
OFFICER = "demo-regional-officer"
#: country code, country name; the events each synthetic member's store gets (one month).
SYNTHETIC_MEMBERS = (("AR", "Argentina"), ("CL", "Chile"), ("CO", "Colombia"), ("CR", "Costa Rica"), ("UY", "Uruguay"))
MEMBER_EVENTS = 600
StepReport = Callable[[int, int, str], None]


def _programme() -> tuple[Organisation, bool]:
    found = Organisation.objects.filter(slug=PROGRAMME_SLUG).first()
    if found is not None:
        return found, False
    return core_actions.do_create_organisation(
        None,
        slug=PROGRAMME_SLUG,
        name="Regional Cybersecurity Programme (illustrative)",
        acronym="RCP",
        type=OrganisationType.REGIONAL_BODY,
        country="PY",  # hosted, in the demo, on the demo's country
        sector=Sector.objects.get(code="government"),
        description="An illustrative regional organisation's cybersecurity programme. Illustrative demo data.",
        is_demo=True,
    ), True


def _officer(programme: Organisation, password: str) -> None:
    user, created = User.objects.get_or_create(
        username=OFFICER, defaults={"first_name": "Regional programme officer", "last_name": "(demo)"}
    )
    if created:
        user.set_password(password)
        user.save()
    core_actions.do_add_membership(None, user, programme, Role.COORDINATOR)


def _synthetic_member(code: str, name: str) -> Organisation:
    slug = f"authority-{code.lower()}-synthetic"
    found = Organisation.objects.filter(slug=slug).first()
    if found is not None:
        return found
    return core_actions.do_create_organisation(
        None,
        slug=slug,
        name=f"National cybersecurity authority of {name} (synthetic)",
        acronym=f"NCA-{code}",
        type=OrganisationType.NATIONAL_AUTHORITY,
        country=code,
        sector=Sector.objects.get(code="government"),
        description="A synthetic member state of the demo's regional programme: its events are generated.",
        is_demo=True,
    )


def _events(member: Organisation, month: str, events: int, say: Callable[[str], None]) -> None:
    from cyberplan.pipeline import synth
    from cyberplan.threats.actions import do_register_import, do_run_import
    from cyberplan.threats.models import Import

    if Import.objects.filter(organisation=member).exists():
        return
    with tempfile.TemporaryDirectory(prefix="cyberplan-demo-") as folder:
        paths = synth.generate(
            Path(folder), events=events, country=str(member.country), month=month, daily=False, seed=len(member.slug)
        )
        for path in paths:
            record = do_register_import(None, member, path, file_name=path.name, tlp="green")
            do_run_import(record, path)
    say(f"  {member.country!s}: {events} synthetic events for {month}")


def _package_received(programme: Organisation, member: Organisation, say: Callable[[str], None]) -> None:
    """Build, approve and take in the member's package for the period, unless the programme holds one."""
    from .actions import do_approve, do_build_draft
    from .intake import do_receive

    code = str(member.country)
    if ReceivedPackage.objects.filter(programme=programme, member__country=code, period=PERIOD).exists():
        return
    try:
        package = do_approve(None, do_build_draft(None, member, PERIOD, share_assessment=True))
    except ValidationError as exc:
        say(f"  {member.country}: no package ({' '.join(exc.messages)})")
        return
    Member.objects.update_or_create(
        programme=programme,
        country=code,
        defaults={"name": member.name, "identity_id": package.package()["created_by_ref"]},
    )
    outcome = do_receive(None, programme, PERIOD, package.file_name, package.content.encode())
    if isinstance(outcome, PackageRefusal):
        say(f"  {member.country}: package refused ({outcome.code}): {outcome.reason}")
    else:
        say(f"  {member.country}: package version {outcome.version} received by the programme")


def prepare_demo_programme(say: Callable[[str], None], *, password: str) -> Organisation:
    """The regional programme and its officer (quick: the command does it before serving)."""
    programme, created = _programme()
    _officer(programme, password)
    say("Regional programme (illustrative) " + ("created" if created else "already there") + ".")
    return programme


def build_demo_members(
    programme: Organisation, say: Callable[[str], None], *, events: int = MEMBER_EVENTS, step: StepReport | None = None
) -> int:
    """Five synthetic members with ``events`` events each (none when 0), and the six members' packages received;
    how many packages the programme holds for the period afterwards."""
    import datetime as dt

    today = dt.datetime.now(dt.UTC).date()
    month = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    members = [_synthetic_member(code, name) for code, name in SYNTHETIC_MEMBERS]
    mitic = Organisation.objects.filter(slug="mitic").first()
    everyone = [*members, *([mitic] if mitic is not None else [])]
    steps = len(members) + len(everyone)
    for number, member in enumerate(members, start=1):
        if step is not None:
            step(number, steps, f"Synthetic events of {member.country.code}")
        if events:
            _events(member, month, events, say)
    for number, member in enumerate(everyone, start=len(members) + 1):
        if step is not None:
            step(number, steps, f"Package of {member.country.code}")
        _package_received(programme, member, say)
    return ReceivedPackage.objects.filter(programme=programme, period=PERIOD, superseded=False).count()


def build_demo_regional_for_workspace(say: Callable[[str], None], *, password: str, events: bool = True) -> None:
    """Everything at once (``cyberplan demo --no-serve``)."""
    programme = prepare_demo_programme(say, password=password)
    build_demo_members(programme, say, events=MEMBER_EVENTS if events else 0)


def regional_logins() -> list[tuple[str, str, str]]:
    return [(OFFICER, "RCP", str(Role.COORDINATOR.label))]
