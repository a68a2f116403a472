"""A starting structure: one axis per focus area of the international strategy guide.

The guide ("Guide to Developing a National Cybersecurity Strategy", ITU and partners, 2nd
edition 2021; https://ncsguide.org/the-guide/good-practice) groups its good practice into seven
focus areas. Focus areas 1 (Governance) and 4 (Critical infrastructure and essential services)
are confirmed from the guide's pages; the names of areas 2, 3, 5, 6 and 7 follow the guide as
reported in secondary sources and are not yet checked against it (the template says so). The
objectives are the project's own suggestions, written to be edited.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cyberplan.core.models import User

from ..actions import do_create_element
from ..choices import ElementKind, FocusArea
from ..models import Element, Strategy

SOURCE = "https://ncsguide.org/the-guide/good-practice"
NOTE = gettext_lazy(
    "Axes from the seven focus areas of the Guide to Developing a National Cybersecurity Strategy "
    "(2nd edition, 2021). The names of focus areas 1 and 4 are checked against the guide; the others "
    "follow it as reported elsewhere and should be checked. The objectives are suggestions to edit."
)


@dataclass(frozen=True)
class StarterAxis:
    focus_area: str
    title_en: str
    title_es: str
    confirmed: bool
    objectives: tuple[tuple[str, str], ...]


STARTER: tuple[StarterAxis, ...] = (
    StarterAxis(
        FocusArea.GOVERNANCE,
        "Governance",
        "Gobernanza",
        True,
        (
            (
                "Give the strategy endorsement at the highest level of government",
                "Lograr el respaldo del más alto nivel de gobierno a la estrategia",
            ),
            (
                "Name a competent authority with a mandate, budget and accountability",
                "Designar una autoridad competente con mandato, presupuesto y rendición de cuentas",
            ),
        ),
    ),
    StarterAxis(
        FocusArea.RISK,
        "Risk management",
        "Gestión de riesgos",
        False,
        (
            (
                "Adopt a national method to assess cyber risk",
                "Adoptar un método nacional de evaluación del riesgo cibernético",
            ),
            (
                "Set baseline security requirements for public bodies",
                "Fijar requisitos mínimos de seguridad para los organismos públicos",
            ),
        ),
    ),
    StarterAxis(
        FocusArea.PREPAREDNESS,
        "Preparedness and resilience",
        "Preparación y resiliencia",
        False,
        (
            (
                "Give the national CSIRT the mandate, staff and tools it needs",
                "Dotar al CSIRT nacional del mandato, personal y herramientas necesarios",
            ),
            (
                "Plan and exercise the response to national cyber crises",
                "Planificar y ejercitar la respuesta a crisis cibernéticas nacionales",
            ),
        ),
    ),
    StarterAxis(
        FocusArea.CRITICAL_INFRASTRUCTURE,
        "Critical infrastructure and essential services",
        "Infraestructuras críticas y servicios esenciales",
        True,
        (
            (
                "Identify critical infrastructure and its operators",
                "Identificar las infraestructuras críticas y sus operadores",
            ),
            (
                "Require incident reporting and security measures from operators",
                "Exigir a los operadores medidas de seguridad y la notificación de incidentes",
            ),
        ),
    ),
    StarterAxis(
        FocusArea.CAPACITY,
        "Capability, capacity building and awareness",
        "Capacidades, formación y sensibilización",
        False,
        (
            (
                "Raise awareness among citizens, businesses and officials",
                "Sensibilizar a la ciudadanía, las empresas y los funcionarios",
            ),
            (
                "Build education and professional training in cybersecurity",
                "Desarrollar la educación y la formación profesional en ciberseguridad",
            ),
        ),
    ),
    StarterAxis(
        FocusArea.LEGISLATION,
        "Legislation and regulation",
        "Legislación y regulación",
        False,
        (
            (
                "Align criminal and procedural law with the Budapest Convention",
                "Armonizar el derecho penal y procesal con el Convenio de Budapest",
            ),
            ("Protect personal data and privacy online", "Proteger los datos personales y la privacidad en línea"),
        ),
    ),
    StarterAxis(
        FocusArea.COOPERATION,
        "International cooperation",
        "Cooperación internacional",
        False,
        (
            (
                "Take part in regional and international CSIRT networks",
                "Participar en las redes regionales e internacionales de CSIRT",
            ),
            (
                "Strengthen cooperation against cybercrime across borders",
                "Fortalecer la cooperación transfronteriza contra la ciberdelincuencia",
            ),
        ),
    ),
)


@transaction.atomic
def do_apply_starter(actor: User | None, strategy: Strategy) -> list[Element]:
    """Create the starting axes and objectives in a strategy that has no structure yet."""
    if strategy.elements.exists():
        raise ValidationError(
            _("The strategy already has a structure; the starting template fills only an empty plan.")
        )
    created: list[Element] = []
    for number, axis in enumerate(STARTER, start=1):
        element = do_create_element(
            actor,
            strategy,
            kind=ElementKind.AXIS,
            code=str(number),
            order=number,
            title_en=axis.title_en,
            title_es=axis.title_es,
            focus_area=axis.focus_area,
        )
        created.append(element)
        for sub, (title_en, title_es) in enumerate(axis.objectives, start=1):
            created.append(
                do_create_element(
                    actor,
                    strategy,
                    kind=ElementKind.OBJECTIVE,
                    parent=element,
                    code=f"{number}.{sub}",
                    order=sub,
                    title_en=title_en,
                    title_es=title_es,
                )
            )
    return created
