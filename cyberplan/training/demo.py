"""The demo's illustrative capacity-building programmes of Paraguay.

Everything here is invented to show the platform: the programmes, sessions, participants and audience sizes
are illustrative (each programme says so in its title and description, in English and Spanish), though the
kinds of programme follow the issue's examples: a REMJA-style workshop on electronic evidence for judges and
prosecutors by an international programme, an incident-handling course by CERT-PY, and an awareness course
for public officials by MITIC. Participants are pseudonymous keys; three carry invented names so the training
coordinator's view shows them. MITIC, the national coordinator, records all three programmes. Building it
twice creates nothing new.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from cyberplan.assessment.demo import TITLE as ASSESSMENT_TITLE
from cyberplan.assessment.models import Assessment
from cyberplan.core.choices import TLP
from cyberplan.core.models import Organisation, User

from . import actions, evidence, spine
from .choices import Audience, Delivery, Language, Level, ProviderKind
from .models import Participant, Programme, Session

ILLUSTRATIVE_EN = "Illustrative demo data: invented to show the platform."
ILLUSTRATIVE_ES = "Datos ilustrativos de demostración: inventados para mostrar la plataforma."
SIZE_NOTE = "Illustrative figure / Cifra ilustrativa"


@dataclass(frozen=True)
class DemoCourse:
    provider: tuple[str, str]  # name, kind
    programme: str
    course: str
    topics: tuple[str, ...]
    level: str
    hours: Decimal
    delivery: str
    sessions: tuple[tuple[dt.date, dt.date, str], ...]


COURSES = (
    DemoCourse(
        ("Programa internacional contra la ciberdelincuencia (ilustrativo)", ProviderKind.INTERNATIONAL),
        "Taller de tipo REMJA sobre evidencia electrónica para jueces y fiscales "
        "(ilustrativo / illustrative REMJA-style workshop)",
        "Evidencia electrónica en el proceso penal",
        ("electronic-evidence", "international-cooperation"),
        Level.INTERMEDIATE,
        Decimal("24"),
        Delivery.IN_PERSON,
        (
            (dt.date(2025, 6, 10), dt.date(2025, 6, 12), "Asunción"),
            (dt.date(2026, 5, 5), dt.date(2026, 5, 7), "Ciudad del Este"),
        ),
    ),
    DemoCourse(
        ("CERT-PY", ProviderKind.CSIRT),
        "Gestión de incidentes para equipos de respuesta (ilustrativo / illustrative incident handling)",
        "Gestión de incidentes y análisis forense básico",
        ("incident-handling", "digital-forensics"),
        Level.ADVANCED,
        Decimal("40"),
        Delivery.BLENDED,
        (
            (dt.date(2025, 9, 1), dt.date(2025, 9, 5), "Asunción"),
            (dt.date(2026, 3, 2), dt.date(2026, 3, 6), "Asunción"),
        ),
    ),
    DemoCourse(
        ("MITIC", ProviderKind.OTHER),
        "Concienciación en ciberseguridad para funcionarios públicos (ilustrativo / illustrative awareness course)",
        "Ciberseguridad básica para la función pública",
        ("awareness",),
        Level.INTRODUCTORY,
        Decimal("4"),
        Delivery.ONLINE,
        (
            (dt.date(2025, 4, 22), dt.date(2025, 4, 22), "En línea"),
            (dt.date(2025, 10, 14), dt.date(2025, 10, 14), "En línea"),
            (dt.date(2026, 4, 21), dt.date(2026, 4, 21), "En línea"),
        ),
    ),
)

# audience, institution, key prefix, people
PEOPLE = (
    (Audience.JUDGES, "Poder Judicial", "PJ", 36),
    (Audience.PROSECUTORS, "Ministerio Público", "MP", 30),
    (Audience.CSIRT_STAFF, "CERT-PY", "CSIRT", 12),
    (Audience.PUBLIC_OFFICIALS, "MITIC", "MITIC", 40),
    (Audience.PUBLIC_OFFICIALS, "Ministerio de Hacienda", "MH", 30),
)

# audience, institution, {year: size}
SIZES = (
    (Audience.JUDGES, "Poder Judicial", {2025: 180, 2026: 185}),
    (Audience.PROSECUTORS, "Ministerio Público", {2025: 120, 2026: 125}),
    (Audience.CSIRT_STAFF, "CERT-PY", {2025: 15, 2026: 16}),
    (Audience.PUBLIC_OFFICIALS, "MITIC", {2025: 400, 2026: 410}),
    (Audience.PUBLIC_OFFICIALS, "Ministerio de Hacienda", {2025: 300, 2026: 300}),
)

NAMED = {
    "PJ-0001": "Ana Ejemplo (invented)",
    "MP-0001": "Luis Demostración (invented)",
    "CSIRT-0001": "Carmen Ficticia (invented)",
}


def _participants(actor: User | None, organisation: Organisation) -> dict[str, list[Participant]]:
    by_audience: dict[str, list[Participant]] = {}
    for audience, institution, prefix, count in PEOPLE:
        for number in range(1, count + 1):
            key = f"{prefix}-{number:04d}"
            name = NAMED.get(key)
            participant = actions.do_create_participant(
                actor,
                organisation,
                with_names=name is not None,
                key=key,
                institution=institution,
                audience=audience,
                **({"name": name} if name else {}),
            )
            by_audience.setdefault(audience, []).append(participant)
    return by_audience


def _attend(actor: User | None, session: Session, people: list[Participant], completed_every: int) -> None:
    """Everyone in ``people`` attends; all but every ``completed_every``-th complete."""
    for index, participant in enumerate(people, start=1):
        actions.do_record_attendance(actor, session, participant, attended=True, completed=index % completed_every != 0)


def _sessions(actor: User | None, organisation: Organisation, people: dict[str, list[Participant]]) -> None:
    providers: dict[str, object] = {}
    for spec in COURSES:
        name, kind = spec.provider
        provider = providers.get(name) or actions.do_create_provider(actor, organisation, name=name, kind=kind)
        providers[name] = provider
        programme = actions.do_create_programme(
            actor,
            organisation,
            illustrative=True,
            provider=provider,
            title=spec.programme,
            description=f"{ILLUSTRATIVE_EN}\n{ILLUSTRATIVE_ES}",
            start_date=spec.sessions[0][0],
            end_date=spec.sessions[-1][1],
            tlp=TLP.CLEAR,
        )
        course = actions.do_create_course(
            actor,
            programme,
            title=spec.course,
            topics=list(spec.topics),
            level=spec.level,
            hours=spec.hours,
            language=Language.SPANISH,
            delivery=spec.delivery,
            description=f"{ILLUSTRATIVE_EN}\n{ILLUSTRATIVE_ES}",
        )
        sessions = [
            actions.do_create_session(actor, course, start_date=start, end_date=end, place=place)
            for start, end, place in spec.sessions
        ]
        if "electronic-evidence" in spec.topics:
            judges, prosecutors = people[Audience.JUDGES], people[Audience.PROSECUTORS]
            # 2025: 24 judges and 18 prosecutors; 2026: 12 of the same judges again (counted once) and 12 new.
            _attend(actor, sessions[0], judges[:24] + prosecutors[:18], 6)
            _attend(actor, sessions[1], judges[12:] + prosecutors[18:], 5)
        elif "incident-handling" in spec.topics:
            csirt = people[Audience.CSIRT_STAFF]
            _attend(actor, sessions[0], csirt[:8], 9)
            _attend(actor, sessions[1], csirt[4:], 9)
        else:
            officials = people[Audience.PUBLIC_OFFICIALS]
            _attend(actor, sessions[0], officials[:25], 10)
            _attend(actor, sessions[1], officials[25:50], 10)
            _attend(actor, sessions[2], officials[40:], 10)


def _sizes(actor: User | None, organisation: Organisation) -> None:
    for audience, institution, years in SIZES:
        for year, size in years.items():
            actions.do_set_denominator(
                actor,
                organisation,
                audience=audience,
                year=year,
                institution=institution,
                size=size,
                source_note=SIZE_NOTE,
            )


# audience, topic, factor whose first indicators receive the figure
EVIDENCE = (
    (Audience.JUDGES, "electronic-evidence", "4.3"),
    (Audience.PROSECUTORS, "electronic-evidence", "4.3"),
    (Audience.CSIRT_STAFF, "incident-handling", "3.3"),
    (Audience.PUBLIC_OFFICIALS, "awareness", "3.1"),
)
EVIDENCE_YEAR = 2026


def attach_demo_evidence(actor: User | None, assessment: Assessment) -> int:
    """Attach the demo's coverage to the assessment's training indicators; returns how many were new."""
    if assessment.locked:
        return 0
    indicators = {i.id: i for i in evidence.training_indicators(assessment)}
    created = 0
    for audience, topic, factor in EVIDENCE:
        chosen = [key for key in indicators if key.startswith(f"{factor}.")][:1]
        if not chosen:
            continue
        attached = spine.do_attach_coverage_evidence(
            actor, assessment, audience=audience, topic=topic, year=EVIDENCE_YEAR, indicator_ids=chosen
        )
        created += sum(1 for a in attached if a.created)
    return created


def build_training_demo(
    organisation: Organisation,
    actor: User | None,
    assessment: Assessment | None = None,
    say: Callable[[str], None] = lambda _message: None,
) -> tuple[list[Programme], bool]:
    """The illustrative programmes owned by ``organisation``; ``True`` when created now."""
    existing = list(Programme.objects.filter(organisation=organisation, illustrative=True, title=COURSES[0].programme))
    if existing:
        say("The illustrative capacity-building programmes exist already.")
        return existing, False
    with transaction.atomic():
        people = _participants(actor, organisation)
        _sessions(actor, organisation, people)
        _sizes(actor, organisation)
        attached = attach_demo_evidence(actor, assessment) if assessment is not None else 0
        raised = spine.do_raise_coverage_gap(
            actor,
            organisation,
            audience=Audience.JUDGES,
            topic="electronic-evidence",
            year=EVIDENCE_YEAR,
            target=Decimal("50"),
            tlp=TLP.CLEAR,
        )
    programmes = list(Programme.objects.filter(organisation=organisation, illustrative=True))
    say(
        f"Built the illustrative capacity-building programmes: {len(programmes)} programmes, "
        f"{Participant.objects.filter(organisation=organisation).count()} pseudonymous participants, "
        f"{attached} assessment evidence links, gap {raised.gap.identifier if raised.gap else '(none)'}."
    )
    return programmes, True


def build_demo_training_for_workspace(say: Callable[[str], None] = lambda _message: None) -> list[Programme]:
    """The training of the demo workspace: owned by MITIC, recorded by the demo coordinator, with evidence
    attached to the demo assessment when it exists."""
    organisation = Organisation.objects.get(slug="mitic")
    actor = User.objects.filter(username="demo-coordinator").first()
    assessment = Assessment.objects.filter(organisation=organisation, title=ASSESSMENT_TITLE).first()
    return build_training_demo(organisation, actor, assessment, say)[0]
