"""The demo's regional programme: an illustrative regional organisation and synthetic member states.

Five synthetic national authorities of the region (Argentina, Chile, Colombia, Costa Rica, Uruguay), each labelled
synthetic, get synthetic events of their own country's address space (the generator of ``cyberplan synth
--country XX``); with Paraguay's MITIC from the demo workspace they are the programme's six members. Each
member's 2026 package is built with the real package builder, approved, and received by the programme's real
intake, so the regional pages show real structure. Building twice adds nothing: a member whose package the
programme already holds for the period is left as it is.

Two synthetic members (Argentina and Uruguay) also share their raw TLP:CLEAR and TLP:GREEN events: they opt in
on the register, export them, and the programme pools the exports with the real intake; the pooled-events
figures of the period are then computed, so the dashboard's and the report's pooled-events sections show real
structure.

Before its package is built, each synthetic member also gets, through the assessment and strategy apps' own
service functions, a synthetic capacity assessment on the capacity model (a deterministic subset of indicators
answered per country, so factor stages differ between members and some factors stay not assessed) and a
synthetic strategy (a published version, a period, a few axes and actions whose statuses differ, so the share
of actions completed differs). Both are labelled synthetic in their titles; the package shares the assessment.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

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
#: The synthetic members that also share their raw TLP:CLEAR and TLP:GREEN events with the programme's pool.
SHARING_MEMBERS = ("AR", "UY")
#: The capacity model version the synthetic assessments are made on (the current one).
FRAMEWORK = ("cyberplan-ncm", "2026.2")
ASSESSMENT_DATE = dt.date(2026, 9, 30)
ANSWER_NOTE = "Synthetic answer, generated for the demo."


@dataclass(frozen=True)
class Profile:
    """What a synthetic member's records look like.

    ``maturity`` is the stage most of its assessed factors sit at (a factor is one stage above or below it, or
    not assessed, as a digest of country and factor decides); ``actions`` is one letter per action of its
    strategy, two actions per axis: C completed, I in progress, D delayed, S suspended, X cancelled, P planned
    (no progress reported).
    """

    maturity: int
    start_year: int
    end_year: int
    phase: str
    axes: tuple[str, ...]
    actions: str


#: The synthetic members' profiles (invented; they describe no real country).
PROFILES: dict[str, Profile] = {
    "AR": Profile(3, 2023, 2027, "implementation", ("governance", "response", "awareness", "legal"), "CCCIIDPC"),
    "CL": Profile(3, 2024, 2028, "implementation", ("governance", "response", "infrastructure", "skills"), "CIIIDPPC"),
    "CO": Profile(2, 2025, 2029, "implementation", ("governance", "response", "awareness"), "CIIPPX"),
    "CR": Profile(1, 2026, 2030, "production", ("governance", "response", "skills"), "IIPPPP"),
    "UY": Profile(4, 2022, 2026, "monitoring", ("governance", "response", "infrastructure", "legal"), "CCCCCIDC"),
}
#: Axis key -> (English title, Spanish title, focus area, two actions in English and Spanish).
AXES: dict[str, tuple[str, str, str, tuple[tuple[str, str], tuple[str, str]]]] = {
    "governance": (
        "Governance and coordination",
        "Gobernanza y coordinación",
        "governance",
        (
            ("Set up the national cybersecurity committee", "Crear el comité nacional de ciberseguridad"),
            ("Adopt a yearly implementation report", "Adoptar un informe anual de implementación"),
        ),
    ),
    "response": (
        "Incident response",
        "Respuesta a incidentes",
        "preparedness",
        (
            ("Staff the national CSIRT around the clock", "Dotar al CSIRT nacional de personal las 24 horas"),
            ("Run a yearly national cyber exercise", "Realizar un ciberejercicio nacional anual"),
        ),
    ),
    "awareness": (
        "Awareness and culture",
        "Sensibilización y cultura",
        "capacity",
        (
            ("Run a national awareness campaign", "Realizar una campaña nacional de sensibilización"),
            ("Add online safety to school curricula", "Incorporar la seguridad en línea a los planes escolares"),
        ),
    ),
    "infrastructure": (
        "Critical infrastructure protection",
        "Protección de infraestructuras críticas",
        "critical_infrastructure",
        (
            ("Identify the operators of essential services", "Identificar a los operadores de servicios esenciales"),
            ("Set minimum security controls for operators", "Fijar controles mínimos de seguridad para operadores"),
        ),
    ),
    "skills": (
        "Skills and workforce",
        "Competencias y fuerza laboral",
        "capacity",
        (
            ("Train public servants in cybersecurity basics", "Formar a funcionarios en ciberseguridad básica"),
            ("Fund university cybersecurity programmes", "Financiar programas universitarios de ciberseguridad"),
        ),
    ),
    "legal": (
        "Legal framework",
        "Marco jurídico",
        "legislation",
        (
            ("Update the computer crime law", "Actualizar la ley de delitos informáticos"),
            ("Train prosecutors in electronic evidence", "Formar a fiscales en evidencia electrónica"),
        ),
    ),
}
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


def _digest(*parts: str) -> int:
    """A number fixed by ``parts`` (the same on every run and every machine, unlike ``hash``)."""
    return int.from_bytes(hashlib.sha256("/".join(parts).encode()).digest()[:4], "big")


def synthetic_stages(code: str, factors: list[str]) -> dict[str, int]:
    """The stage each factor of a synthetic member's assessment is answered to; factors left out stay not
    assessed (about one in four)."""
    maturity, stages = PROFILES[code].maturity, {}
    for factor in factors:
        roll = _digest(code, factor)
        if roll % 4 == 0:
            continue
        stages[factor] = min(4, max(1, maturity + (roll // 4) % 3 - 1))
    return stages


def _assessment(member: Organisation, name: str) -> bool:
    """The member's synthetic capacity assessment: every indicator up to a factor's stage met, the first of the
    next stage partly met; ``True`` when it was created now."""
    from cyberplan.assessment.actions import do_answer_indicator, do_create_assessment
    from cyberplan.assessment.choices import AnswerValue, Method, StakeholderGroup
    from cyberplan.assessment.models import Answer, Assessment, Framework
    from cyberplan.core.choices import TLP

    title = f"Capacity assessment of {name} (synthetic)"
    if Assessment.objects.filter(organisation=member, title=title).exists():
        return False
    framework = Framework.objects.get(framework_id=FRAMEWORK[0], version=FRAMEWORK[1])
    structure = framework.structure()
    code = str(member.country)
    stages = synthetic_stages(code, [factor.id for factor in structure.factors()])
    with transaction.atomic():
        assessment = do_create_assessment(
            None,
            member,
            framework,
            title=title,
            country=code,
            date=ASSESSMENT_DATE,
            method=Method.DESK_RESEARCH,
            stakeholder_groups=[StakeholderGroup.GOVERNMENT, StakeholderGroup.CSIRT],
            tlp=TLP.CLEAR,
            copy_targets=False,
        )
        rows = {a.indicator_id: a for a in Answer.objects.filter(assessment=assessment)}
        for factor in structure.factors():
            stage = stages.get(factor.id)
            if stage is None:
                continue
            for indicator in factor.indicators:
                if indicator.stage <= stage:
                    do_answer_indicator(None, rows[indicator.id], None, value=AnswerValue.MET, note=ANSWER_NOTE)
            following = factor.indicators_at(stage + 1)
            if following:
                do_answer_indicator(None, rows[following[0].id], None, value=AnswerValue.PARTLY, note=ANSWER_NOTE)
    return True


def _structure(member: Organisation, name: str, profile: Profile) -> bytes:
    """The synthetic strategy as a structure file for the strategy app's importer: one objective, one action
    line and two actions per axis."""
    items = []
    for number, key in enumerate(profile.axes, start=1):
        title_en, title_es, focus, actions = AXES[key]
        items.append(
            {
                "kind": "axis",
                "code": str(number),
                "title_en": title_en,
                "title_es": title_es,
                "focus_area": focus,
                "children": [
                    {
                        "code": f"{number}.1",
                        "title_en": f"{title_en}: objective",
                        "title_es": f"{title_es}: objetivo",
                        "children": [
                            {
                                "code": f"{number}.1.1",
                                "title_en": f"{title_en}: action line",
                                "title_es": f"{title_es}: línea de acción",
                                "actions": [
                                    {
                                        "code": f"{number}.1.1.{order}",
                                        "title_en": action_en,
                                        "title_es": action_es,
                                        "lead": member.slug,
                                        "start": f"{profile.start_year}-01-01",
                                        "end": f"{profile.end_year}-12-31",
                                    }
                                    for order, (action_en, action_es) in enumerate(actions, start=1)
                                ],
                            }
                        ],
                    }
                ],
            }
        )
    document = {
        "format": "cyberplan-strategy-structure/1",
        "strategy": {
            "title_en": f"National Cybersecurity Strategy of {name} (synthetic)",
            "title_es": f"Estrategia Nacional de Ciberseguridad de {name} (sintética)",
            "country": str(member.country),
            "start_year": str(profile.start_year),
            "end_year": str(profile.end_year),
            "illustrative": "true",
            "tlp": "clear",
            "vision_en": "Synthetic demo text: the strategy of a synthetic member state of the regional programme.",
            "vision_es": "Texto sintético de demostración: la estrategia de un Estado miembro sintético del programa.",
        },
        "items": items,
    }
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode()


STATUSES = {
    "C": ("completed", 100),
    "I": ("in_progress", 50),
    "D": ("delayed", 30),
    "S": ("suspended", 20),
    "X": ("cancelled", 0),
}


def _strategy(member: Organisation, name: str) -> bool:
    """The member's synthetic strategy, published, with progress on its actions; ``True`` when created now."""
    from cyberplan.strategy import actions as strategy_actions
    from cyberplan.strategy.choices import VersionStatus
    from cyberplan.strategy.importing.importer import import_structure
    from cyberplan.strategy.models import Strategy
    from cyberplan.strategy.versions import actions as version_actions

    title = f"National Cybersecurity Strategy of {name} (synthetic)"
    if Strategy.objects.filter(organisation=member, title_en=title).exists():
        return False
    profile = PROFILES[str(member.country)]
    document = _structure(member, name, profile)
    with transaction.atomic():
        result = import_structure(None, document, "synthetic-strategy.yaml", organisation=member, create={})
        if not result.ok or result.strategy is None:
            raise ValidationError([str(problem) for problem in result.problems])
        strategy = result.strategy
        version = version_actions.do_create_version(None, strategy, "Synthetic first version.")
        version = version_actions.do_move_version(None, version, VersionStatus.APPROVED)
        version_actions.do_move_version(None, version, VersionStatus.PUBLISHED, legal_reference="Decree (synthetic)")
        strategy_actions.do_set_phase(None, strategy, profile.phase)
        today = dt.datetime.now(dt.UTC).date()
        actions = strategy.actions.order_by("code")
        for number, (action, letter) in enumerate(zip(actions, profile.actions, strict=True)):
            if letter == "P":
                continue
            status, percent = STATUSES[letter]
            strategy_actions.do_report_progress(
                None,
                action,
                date=today - dt.timedelta(days=10 + 7 * number),
                status=status,
                percent_complete=percent,
                narrative="Synthetic progress report, generated for the demo.",
            )
    return True


def _records(member: Organisation, say: Callable[[str], None]) -> None:
    """The synthetic member's assessment and strategy, unless it has them."""
    code = str(member.country)
    name = dict(SYNTHETIC_MEMBERS)[code]
    made = [
        what
        for what, created in (("assessment", _assessment(member, name)), ("strategy", _strategy(member, name)))
        if created
    ]
    if made:
        say(f"  {code}: synthetic {' and '.join(made)}")


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


def _pool_events(programme: Organisation, sharing: list[Organisation], say: Callable[[str], None]) -> None:
    """The sharing members opt in, export their CLEAR and GREEN events and the programme pools them (once); then
    the pooled-events figures of the period are computed for the dashboard."""
    from cyberplan.analytics.periods import parse_period

    from . import pooled, pooled_figures
    from .intake import do_save_member

    for organisation in sharing:
        code = str(organisation.country)
        member = Member.objects.filter(programme=programme, country=code).first()
        if member is None or not member.identity_id:
            continue
        if not member.shares_events:
            member.shares_events = True
            do_save_member(None, member)
        if member.pooled_batches.filter(accepted=True).exists():
            continue
        with tempfile.TemporaryDirectory(prefix="cyberplan-demo-") as folder:
            path = Path(folder) / f"events-{code.lower()}.parquet"
            pooled.export_events(organisation, path)
            batch = pooled.do_pool(None, programme, path)
        state = f"{batch.added} events pooled" if batch.accepted else f"refused ({batch.code}): {batch.reason}"
        say(f"  {code}: {state}")
    try:
        figures = pooled_figures.current(programme, parse_period(PERIOD))
    except ValidationError as exc:
        say(f"  pooled events: no figures ({' '.join(exc.messages)})")
        return
    if figures is not None:
        say(f"  pooled events of {', '.join(figures.members)}: figures of {figures.period} computed")


def prepare_demo_programme(say: Callable[[str], None], *, password: str) -> Organisation:
    """The regional programme and its officer (quick: the command does it before serving)."""
    programme, created = _programme()
    _officer(programme, password)
    say("Regional programme (illustrative) " + ("created" if created else "already there") + ".")
    return programme


def build_demo_members(
    programme: Organisation, say: Callable[[str], None], *, events: int = MEMBER_EVENTS, step: StepReport | None = None
) -> int:
    """Five synthetic members with ``events`` events each (none when 0), their synthetic assessments and
    strategies, and the six members' packages received; how many packages the programme holds for the period
    afterwards."""
    today = dt.datetime.now(dt.UTC).date()
    month = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    members = [_synthetic_member(code, name) for code, name in SYNTHETIC_MEMBERS]
    mitic = Organisation.objects.filter(slug="mitic").first()
    everyone = [*members, *([mitic] if mitic is not None else [])]
    steps = len(members) + len(everyone)
    for number, member in enumerate(members, start=1):
        if step is not None:
            step(number, steps, _("Synthetic events and records of %(country)s") % {"country": member.country.code})
        if events:
            _events(member, month, events, say)
        _records(member, say)
    for number, member in enumerate(everyone, start=len(members) + 1):
        if step is not None:
            step(number, steps, _("Package of %(country)s") % {"country": member.country.code})
        _package_received(programme, member, say)
    if step is not None:
        step(steps + 1, steps + 1, _("Pooled events of the members that share them"))
    if events:
        _pool_events(programme, [m for m in members if str(m.country) in SHARING_MEMBERS], say)
    return ReceivedPackage.objects.filter(programme=programme, period=PERIOD, superseded=False).count()


def build_demo_regional_for_workspace(say: Callable[[str], None], *, password: str, events: bool = True) -> None:
    """Everything at once (``cyberplan demo --no-serve``)."""
    programme = prepare_demo_programme(say, password=password)
    build_demo_members(programme, say, events=MEMBER_EVENTS if events else 0)


def regional_logins() -> list[tuple[str, str, str]]:
    return [(OFFICER, "RCP", str(Role.COORDINATOR.label))]
