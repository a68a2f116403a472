"""The illustrative demo workspace for Paraguay, built from public facts.

Everything created here is marked as illustrative demo data. Building it twice changes nothing.
Sources of the facts: docs/reference/demo-workspace.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from cyberplan.core import actions
from cyberplan.core.choices import TLP, OrganisationType, Role
from cyberplan.core.models import Organisation, Sector, User
from cyberplan.gaps.actions import do_add_gap_evidence, do_upsert_gap_from_source
from cyberplan.gaps.choices import EvidenceKind, GapSource, Severity
from cyberplan.threats.actions import do_grant_store_access
from cyberplan.threats.models import StoreGrant

DEMO_PASSWORD = "cyberplan-demo"  # noqa: S105 -- printed to the operator; demo users exist only in a demo workspace


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    organisation: str
    role: str


ORGANISATIONS = [
    {
        "slug": "mitic",
        "name": "Ministerio de Tecnologías de la Información y Comunicación",
        "acronym": "MITIC",
        "type": OrganisationType.NATIONAL_AUTHORITY,
        "sector": "government",
        "description": (
            "National cybersecurity authority through its Directorate General of Cybersecurity and Protection "
            "of Information (created by Law 6207/2018). Illustrative demo data."
        ),
    },
    {
        "slug": "cert-py",
        # Its name as the ENC 2025-2028 reports it (reference facts §6, "CERT-PY's name").
        "name": "Centro de Respuestas ante Incidentes Cibernéticos",
        "acronym": "CERT-PY",
        "type": OrganisationType.NATIONAL_CSIRT,
        "sector": "government",
        "description": (
            "National CSIRT, created by Decree 11624/2013, under MITIC's Directorate General of Cybersecurity "
            "and Protection of Information. Illustrative demo data."
        ),
    },
    {
        "slug": "cnc",
        "name": "Comisión Nacional de Ciberseguridad",
        "acronym": "CNC",
        "type": OrganisationType.COMMISSION,
        "sector": "government",
        "description": "National Cybersecurity Commission, set up by article 4 of Decree 7052/2017. Illustrative demo data.",
    },
    {
        "slug": "ministerio-publico",
        "name": "Ministerio Público: unidad especializada en delitos informáticos",
        "acronym": "MP-DI",
        "type": OrganisationType.PROSECUTORS,
        "sector": "justice",
        "description": "The prosecutors' computer-crime unit. Illustrative demo data.",
    },
    {
        # Treaties are ratified through Foreign Affairs and approved by Congress: it leads the
        # demo strategy's action on the Second Additional Protocol (CETS 224).
        "slug": "mre",
        "name": "Ministerio de Relaciones Exteriores",
        "acronym": "MRE",
        "type": OrganisationType.MINISTRY,
        "sector": "government",
        "description": "Ministry of Foreign Affairs: treaties and their ratification. Illustrative demo data.",
    },
]

USERS = [
    DemoUser("demo-admin", "Administrator", "mitic", Role.ADMINISTRATOR),
    DemoUser("demo-coordinator", "Coordinator", "mitic", Role.COORDINATOR),
    DemoUser("demo-analyst", "Analyst", "mitic", Role.ANALYST),
    DemoUser("demo-contributor", "Contributor", "mitic", Role.CONTRIBUTOR),
    DemoUser("demo-viewer", "Viewer", "mitic", Role.VIEWER),
    DemoUser("demo-partner", "External partner", "mitic", Role.EXTERNAL_PARTNER),
    DemoUser("demo-csirt", "CSIRT analyst", "cert-py", Role.ANALYST),
    DemoUser("demo-csirt-lead", "CSIRT coordinator", "cert-py", Role.COORDINATOR),
    # CERT-PY's administrator: the sharing lead, who rotates or revokes the demo's partner credential.
    DemoUser("demo-sharing-lead", "CSIRT sharing lead", "cert-py", Role.ADMINISTRATOR),
    DemoUser("demo-prosecutor", "Prosecutor", "ministerio-publico", Role.CONTRIBUTOR),
]

# Illustrative gaps drawn from public facts (docs/reference/demo-workspace.md lists the sources).
GAPS: list[dict[str, Any]] = [
    {
        # Law 7593/2025 exists (promulgated 27 November 2025); it applies after a 24-month
        # regulation period and creates the national agency inside MITIC (reference facts §6,
        # "Data protection"). The gap is what is left to do, not a missing law.
        "organisation": "mitic",
        "source": GapSource.LEGAL,
        "source_key": "demo:data-protection-regulation",
        "title_en": "Personal data protection law 7593/2025 still to be regulated and its agency set up",
        "title_es": "Ley 7593/2025 de protección de datos personales aún por reglamentar y su agencia por poner en marcha",
        "description_en": (
            "Illustrative demo gap. Law 7593/2025, promulgated on 27 November 2025, applies after a 24-month "
            "regulation period and creates the Agencia Nacional de Protección de Datos Personales within MITIC."
        ),
        "description_es": (
            "Brecha ilustrativa de demostración. La Ley 7593/2025, promulgada el 27 de noviembre de 2025, se aplica "
            "tras un plazo de reglamentación de 24 meses y crea la Agencia Nacional de Protección de Datos "
            "Personales dentro del MITIC."
        ),
        "severity": Severity.HIGH,
        "tlp": TLP.CLEAR,
        "evidence": {
            "kind": EvidenceKind.CITATION,
            "label": "Law 7593/2025 on personal data protection (promulgated 27 November 2025)",
            "url": "https://dplnews.com/paraguay-promulga-ley-que-crea-agencia-de-proteccion-de-datos-personales",
            "citation": "Ley 7593/2025",
        },
    },
    {
        "organisation": "mitic",
        "source": GapSource.LEGAL,
        "source_key": "demo:cets-224",
        "title_en": "Second Additional Protocol to the Budapest Convention signed but not yet in force",
        "title_es": "Segundo Protocolo Adicional al Convenio de Budapest firmado pero aún no vigente",
        "description_en": "Illustrative demo gap. Paraguay signed CETS 224 on 24 September 2024.",
        "description_es": "Brecha ilustrativa de demostración. Paraguay firmó el CETS 224 el 24 de septiembre de 2024.",
        "severity": Severity.MEDIUM,
        "tlp": TLP.GREEN,
        "evidence": {
            "kind": EvidenceKind.CITATION,
            "label": "Law 5994/2017 approves ETS 185 and ETS 189",
            "citation": "Ley 5994/2017",
        },
    },
    {
        "organisation": "mitic",
        "source": GapSource.OTHER,
        "source_key": "demo:ci-protection-plan",
        "title_en": "Critical infrastructure protection plan to be completed",
        "title_es": "Plan de protección de infraestructuras críticas por completar",
        "description_en": "Illustrative demo gap for the critical infrastructure axis of the national strategy.",
        "description_es": "Brecha ilustrativa de demostración para el eje de infraestructuras críticas de la estrategia nacional.",
        "severity": Severity.CRITICAL,
        "tlp": TLP.AMBER,
        "evidence": None,
    },
    {
        "organisation": "mitic",
        "source": GapSource.OTHER,
        "source_key": "demo:restricted-note",
        "title_en": "Restricted coordination note (TLP:RED example)",
        "title_es": "Nota de coordinación restringida (ejemplo TLP:RED)",
        "description_en": "Illustrative demo gap showing that TLP:RED records are seen only by coordinators and administrators.",
        "description_es": "Brecha ilustrativa que muestra que los registros TLP:RED solo los ven coordinadores y administradores.",
        "severity": Severity.LOW,
        "tlp": TLP.RED,
        "evidence": None,
    },
    {
        "organisation": "cert-py",
        "source": GapSource.OTHER,
        "source_key": "demo:csirt-constituency",
        "title_en": "Constituency table of government networks incomplete",
        "title_es": "Tabla de constituyentes de redes del gobierno incompleta",
        "description_en": "Illustrative demo gap: the CSIRT cannot attribute every report to an owner organisation.",
        "description_es": "Brecha ilustrativa: el CSIRT no puede atribuir cada reporte a una organización responsable.",
        "severity": Severity.MEDIUM,
        "tlp": TLP.AMBER,
        "evidence": None,
    },
]


@transaction.atomic
def build_demo_workspace() -> dict[str, int]:
    """Create or refresh the demo workspace; returns counts of what was created this time."""
    created = {"organisations": 0, "users": 0, "memberships": 0, "store grants": 0, "gaps": 0}
    organisations: dict[str, Organisation] = {}
    for spec in ORGANISATIONS:
        values = dict(spec)
        sector = Sector.objects.get(code=values.pop("sector"))
        slug = values.pop("slug")
        existing = Organisation.objects.filter(slug=slug).first()
        if existing is None:
            organisations[slug] = actions.do_create_organisation(
                None, slug=slug, country="PY", sector=sector, is_demo=True, **values
            )
            created["organisations"] += 1
        else:
            organisations[slug] = existing
    for person in USERS:
        user, was_created = User.objects.get_or_create(
            username=person.username, defaults={"first_name": person.first_name, "last_name": "(demo)"}
        )
        if was_created:
            user.set_password(DEMO_PASSWORD)
            user.save()
            created["users"] += 1
        organisation = organisations[person.organisation]
        if not user.memberships.filter(organisation=organisation).exists():
            created["memberships"] += 1
        actions.do_add_membership(None, user, organisation, person.role)
    if _grant_national_picture(organisations["cert-py"], organisations["mitic"]):
        created["store grants"] += 1
    author = User.objects.get(username="demo-coordinator")
    for gap_spec in GAPS:
        gap_values = dict(gap_spec)
        organisation = organisations[gap_values.pop("organisation")]
        gap_evidence: dict[str, Any] | None = gap_values.pop("evidence")
        gap, was_created = do_upsert_gap_from_source(author, organisation, **gap_values)
        if was_created:
            created["gaps"] += 1
            if gap_evidence:
                do_add_gap_evidence(author, gap, **gap_evidence)
    return created


def _grant_national_picture(csirt: Organisation, authority: Organisation) -> bool:
    """CERT-PY lets MITIC read its event store up to TLP:AMBER, unless a live grant exists (True if granted now).

    This is what makes the coordinator's trends dashboard, reports and automatic KPIs show the national
    threat picture at first sign-in. A grant revoked by hand is not given again on a refresh.
    """
    if StoreGrant.objects.filter(owner=csirt, recipient=authority).exists():
        return False
    do_grant_store_access(
        None,
        csirt,
        authority,
        ceiling=TLP.AMBER,
        reason=(
            "Illustrative demo: the national CSIRT shares the events it collects with the national authority, "
            "for the national threat picture, the strategy's threat context and its automatic KPIs."
        ),
    )
    return True


def demo_logins() -> list[tuple[str, str, str]]:
    """(user name, organisation, role label) for each demo user."""
    return [
        (u.username, next(o["acronym"] for o in ORGANISATIONS if o["slug"] == u.organisation), str(Role(u.role).label))
        for u in USERS
    ]
