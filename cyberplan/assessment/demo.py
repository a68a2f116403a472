"""The demo's illustrative capacity assessment of Paraguay, built from public facts.

Every answer marked met cites a public source listed in docs/reference/demo-workspace.md and
the project's reference facts (domain-facts.md, "RF §n" below); the other answers are partly met
(the source shows part of the indicator); an indicator no checked source speaks to stays
unanswered. The facts answered: CERT-PY exists since Decree 11624/2013 and publishes a yearly
report with incidents by type and sector and response times (RF §6); Paraguay is a Party to
ETS 185 and ETS 189 by Law 5994/2017 and signed CETS 224 on 24 September 2024 (RF §7); the
ENC 2025-2028 replaced the 2017 plan by Decree 3900/2025 (RF §6); Law 7593/2025 on personal data
was promulgated on 27 November 2025, after sectoral rules such as Law 6534/2020 (RF §6). The assessment is labelled illustrative in its title and in its report: it
is not an official finding. Building it twice creates nothing new.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from cyberplan.core.choices import TLP
from cyberplan.core.models import Organisation, User

from .actions import (
    do_add_answer_evidence,
    do_answer_indicator,
    do_create_assessment,
    do_set_target_stage,
    do_sync_assessment_gaps,
)
from .choices import AnswerValue, EvidenceKind, Method, StakeholderGroup
from .models import Answer, Assessment, Framework

TITLE = "Illustrative assessment of Paraguay (demo, built from public facts)"
DATE = dt.date(2026, 6, 30)
FRAMEWORK = ("cyberplan-ncm", "2026.2")
ANSWER_NOTE = "Illustrative answer built from public facts."

#: The demo's own texts in Spanish, kept as each record's translation so a Spanish reader reads them so.
SPANISH: dict[str, str] = {
    TITLE: "Evaluación ilustrativa del Paraguay (demostración, construida con hechos públicos)",
    ANSWER_NOTE: "Respuesta ilustrativa construida con hechos públicos.",
    "SENATICs led national cybersecurity work before 2018": (
        "La SENATICs condujo el trabajo nacional de ciberseguridad antes de 2018"
    ),
    "Illustrative reading of a public source.": "Lectura ilustrativa de una fuente pública.",
    "National cybersecurity plan": "Plan Nacional de Ciberseguridad",
    "OAS Cyber Security Program support announced on 3 November 2014": (
        "Apoyo del Programa de Ciberseguridad de la OEA anunciado el 3 de noviembre de 2014"
    ),
    "Draft plan, version 3, 6 April 2016": "Borrador del plan, versión 3, 6 de abril de 2016",
    "The draft exists; its circulation to ministries was not checked.": (
        "El borrador existe; no se verificó su circulación entre los ministerios."
    ),
    "The plan adopted by decree; article 4 sets up the Comisión Nacional de Ciberseguridad": (
        "El plan aprobado por decreto; el artículo 4 crea la Comisión Nacional de Ciberseguridad"
    ),
    "7 pillars, 20 objectives, 60 lines of action and an action plan": (
        "7 ejes, 20 objetivos, 60 líneas de acción y un plan de acción"
    ),
    "Owners, deadlines and indicators per line of action were not checked.": (
        "No se verificaron los responsables, los plazos ni los indicadores de cada línea de acción."
    ),
    "CERT-PY created": "Creación del CERT-PY",
    "Decreto 11624/2013 (12 August 2013)": "Decreto 11624/2013 (12 de agosto de 2013)",
    "CERT-PY yearly report, with incident history since 2013": (
        "Informe anual del CERT-PY, con la historia de incidentes desde 2013"
    ),
    "Threat trends of the demo workspace": "Tendencias de amenazas del espacio de demostración",
    "CERT-PY created by decree": "CERT-PY creado por decreto",
    "Computer crimes added to the Penal Code": "Delitos informáticos incorporados al Código Penal",
    "Computer crimes in the Penal Code": "Delitos informáticos en el Código Penal",
    "Approval of the Budapest Convention (ETS 185) and its First Additional Protocol (ETS 189)": (
        "Aprobación del Convenio de Budapest (STE 185) y de su Primer Protocolo Adicional (STE 189)"
    ),
    "Ley 5994/2017 (15 December 2017)": "Ley 5994/2017 (15 de diciembre de 2017)",
    "Paraguay listed by the Council of Europe as a Party to the Budapest Convention": (
        "Paraguay figura ante el Consejo de Europa como Parte del Convenio de Budapest"
    ),
    "Second Additional Protocol (CETS 224) signed on 24 September 2024": (
        "Segundo Protocolo Adicional (STCE 224) firmado el 24 de septiembre de 2024"
    ),
    "CERT-PY receives about 30,000 automated reports a day": (
        "El CERT-PY recibe unos 30.000 reportes automatizados por día"
    ),
    "CERT-PY yearly report: incidents by reporter": "Informe anual del CERT-PY: incidentes por reportante",
    "The report counts incidents by who reported them; the contact page itself was not checked.": (
        "El informe cuenta los incidentes según quién los reportó; no se verificó la página de contacto."
    ),
    "CERT-PY, Centro de Respuestas ante Incidentes Cibernéticos, within MITIC's Dirección General de "
    "Ciberseguridad y Protección de la Información": (
        "CERT-PY, Centro de Respuestas ante Incidentes Cibernéticos, dentro de la Dirección General de "
        "Ciberseguridad y Protección de la Información del MITIC"
    ),
    "A unit of MITIC's directorate general that publishes a yearly report with response times; "
    "staff numbers were not checked.": (
        "Una unidad de la dirección general del MITIC que publica un informe anual con tiempos de respuesta; "
        "no se verificó la cantidad de personal."
    ),
    "CERT-PY yearly report: incidents by type, sector, criticality and reporter": (
        "Informe anual del CERT-PY: incidentes por tipo, sector, criticidad y reportante"
    ),
    "CERT-PY yearly report: response times": "Informe anual del CERT-PY: tiempos de respuesta",
    "ENC 2025-2028 adopted by decree, replacing the 2017 plan": (
        "ENC 2025-2028 aprobada por decreto, en reemplazo del plan de 2017"
    ),
    "Decreto 3900/2025 (22 May 2025)": "Decreto 3900/2025 (22 de mayo de 2025)",
    "The ENC 2025-2028 replaced the 2017 plan; an evaluation report of the 2017 plan was not checked.": (
        "La ENC 2025-2028 reemplazó al plan de 2017; no se verificó un informe de evaluación del plan de 2017."
    ),
    "Credit information law, a sectoral rule on personal data": (
        "Ley de información crediticia, una norma sectorial sobre datos personales"
    ),
    "Ley 6534/2020": "Ley 6534/2020",
    "Personal data protection law, promulgated on 27 November 2025": (
        "Ley de protección de datos personales, promulgada el 27 de noviembre de 2025"
    ),
    "Ley 7593/2025 (27 November 2025)": "Ley 7593/2025 (27 de noviembre de 2025)",
    "The law creates the Agencia Nacional de Protección de Datos Personales within MITIC; it applies "
    "after a 24-month regulation period, so it is not yet in force.": (
        "La ley crea la Agencia Nacional de Protección de Datos Personales dentro del MITIC; se aplica tras "
        "un plazo de reglamentación de 24 meses, por lo que aún no está vigente."
    ),
}


def in_spanish(**fields: str) -> dict[str, dict[str, str]]:
    """The ``translations`` of a demo record: the Spanish of each of its texts that has one."""
    spanish = {name: SPANISH[text] for name, text in fields.items() if text in SPANISH}
    return {"es": spanish} if spanish else {}


OAS_2014 = "https://www.oas.org/en/media_center/press_release.asp?sCodigo=E-476/14"
DRAFT_2016 = "https://es.scribd.com/document/390481335/Plan-Nacional-de-Seguridad-Cibernetica-v3-docx"
DECREE_7052 = "https://latribuna.com.py/?p=68744"
NCSI_PY = "https://ncsi.ega.ee/country/py_2022"
OCTOPUS_PY = "https://coe.int/en/web/octopus/-/paraguay"
PROFILE_PY = "https://studylib.net/doc/12952887/cyberwellness-profile-paraguay"
CERT_REPORT = "https://es.scribd.com/document/722401627/Informe-Ciberseguridad-Paraguay-2022"
LAW_4439 = "https://www.abc.com.py/edicion-impresa/suplementos/judicial/sancion-de-una-ley-internacional-1649223.html"
LAW_5994 = "http://www.ilo.org/dyn/natlex/natlex4.detail?p_lang=en&p_isn=106286&p_country=PRY"
CETS_224_PY = "https://verdragen.nl/en/Treaty/Details/013833_p.html"
CERT_REPORTS_DAY = "http://economiavirtual.com.py/web/pagina-general.php?codigo=25625"
CERT_NAME = "https://pynoticias.es/gobierno-aprueba-nueva-estrategia-nacional-de-ciberseguridad"
DECREE_3900 = (
    "https://www.latribuna.com.py/destacado/235029-pedro-alliana-firmo-decreto-que-aprueba-la-estrategia-"
    "nacional-de-ciberseguridad-2025-2028"
)
LAW_7593 = "https://dplnews.com/paraguay-promulga-ley-que-crea-agencia-de-proteccion-de-datos-personales"
LAW_7593_ABC = (
    "https://www.abc.com.py/negocios/2026/01/30/de-quien-son-los-datos-en-paraguay-la-ley-7593-y-el-giro-hacia-"
    "la-privacidad/"
)


@dataclass(frozen=True)
class Evidence:
    kind: str
    label: str
    url: str = ""
    citation: str = ""
    note: str = ""


#: indicator -> (answer, evidence). Indicators not listed stay unanswered.
ANSWERS: dict[str, tuple[str, tuple[Evidence, ...]]] = {
    "1.1.S1": (
        AnswerValue.MET,
        (
            Evidence(
                EvidenceKind.URL,
                "SENATICs led national cybersecurity work before 2018",
                PROFILE_PY,
                note="Illustrative reading of a public source.",
            ),
        ),
    ),
    "1.1.S2": (
        AnswerValue.MET,
        (Evidence(EvidenceKind.CITATION, "National cybersecurity plan", DECREE_7052, "Decreto 7052/2017"),),
    ),
    "1.1.S3": (
        AnswerValue.MET,
        (Evidence(EvidenceKind.URL, "OAS Cyber Security Program support announced on 3 November 2014", OAS_2014),),
    ),
    "1.1.F1": (
        AnswerValue.PARTLY,
        (
            Evidence(
                EvidenceKind.URL,
                "Draft plan, version 3, 6 April 2016",
                DRAFT_2016,
                note="The draft exists; its circulation to ministries was not checked.",
            ),
        ),
    ),
    "1.1.E1": (
        AnswerValue.MET,
        (
            Evidence(
                EvidenceKind.CITATION,
                "The plan adopted by decree; article 4 sets up the Comisión Nacional de Ciberseguridad",
                NCSI_PY,
                "Decreto 7052/2017, art. 4",
            ),
        ),
    ),
    "1.1.E2": (
        AnswerValue.PARTLY,
        (
            Evidence(
                EvidenceKind.URL,
                "7 pillars, 20 objectives, 60 lines of action and an action plan",
                OCTOPUS_PY,
                note="Owners, deadlines and indicators per line of action were not checked.",
            ),
        ),
    ),
    # RF §6 "Update": Decree 3900/2025 adopted the ENC 2025-2028, replacing the 2017 plan.
    "1.1.D1": (
        AnswerValue.PARTLY,
        (
            Evidence(
                EvidenceKind.CITATION,
                "ENC 2025-2028 adopted by decree, replacing the 2017 plan",
                DECREE_3900,
                "Decreto 3900/2025 (22 May 2025)",
                note="The ENC 2025-2028 replaced the 2017 plan; an evaluation report of the 2017 plan was not checked.",
            ),
        ),
    ),
    # RF §6 "Institutions", "Monitoring data" and "CERT-PY's name": CERT-PY exists since 2013.
    "1.2.S1": (
        AnswerValue.MET,
        (Evidence(EvidenceKind.CITATION, "CERT-PY created", PROFILE_PY, "Decreto 11624/2013 (12 August 2013)"),),
    ),
    "1.2.S2": (
        AnswerValue.MET,
        (
            Evidence(EvidenceKind.URL, "CERT-PY yearly report, with incident history since 2013", CERT_REPORT),
            Evidence(EvidenceKind.PLATFORM, "Threat trends of the demo workspace", "/trends/"),
        ),
    ),
    "1.2.F1": (
        AnswerValue.MET,
        (Evidence(EvidenceKind.CITATION, "CERT-PY created by decree", OCTOPUS_PY, "Decreto 11624/2013"),),
    ),
    "1.2.F2": (
        AnswerValue.MET,
        (
            Evidence(EvidenceKind.URL, "CERT-PY receives about 30,000 automated reports a day", CERT_REPORTS_DAY),
            Evidence(
                EvidenceKind.URL,
                "CERT-PY yearly report: incidents by reporter",
                CERT_REPORT,
                note="The report counts incidents by who reported them; the contact page itself was not checked.",
            ),
        ),
    ),
    "1.2.F3": (
        AnswerValue.MET,
        (
            Evidence(
                EvidenceKind.URL,
                "CERT-PY, Centro de Respuestas ante Incidentes Cibernéticos, within MITIC's Dirección General de "
                "Ciberseguridad y Protección de la Información",
                CERT_NAME,
                note=(
                    "A unit of MITIC's directorate general that publishes a yearly report with response times; "
                    "staff numbers were not checked."
                ),
            ),
        ),
    ),
    "1.2.E2": (
        AnswerValue.MET,
        (
            Evidence(
                EvidenceKind.URL,
                "CERT-PY yearly report: incidents by type, sector, criticality and reporter",
                CERT_REPORT,
            ),
        ),
    ),
    "1.2.ST3": (
        AnswerValue.MET,
        (Evidence(EvidenceKind.URL, "CERT-PY yearly report: response times", CERT_REPORT),),
    ),
    "4.1.S1": (
        AnswerValue.MET,
        (Evidence(EvidenceKind.CITATION, "Computer crimes added to the Penal Code", LAW_4439, "Ley 4439/2011"),),
    ),
    "4.1.F1": (
        AnswerValue.MET,
        (Evidence(EvidenceKind.CITATION, "Computer crimes in the Penal Code", OCTOPUS_PY, "Ley 4439/2011"),),
    ),
    # RF §6 "Data protection": Law 7593/2025 complements Law 6534/2020 (credit data); it applies
    # after a 24-month regulation period, so a comprehensive law is not yet in force.
    "4.2.S2": (
        AnswerValue.MET,
        (
            Evidence(
                EvidenceKind.CITATION,
                "Personal data protection law, promulgated on 27 November 2025",
                LAW_7593,
                "Ley 7593/2025 (27 November 2025)",
            ),
        ),
    ),
    "4.2.F1": (
        AnswerValue.MET,
        (
            Evidence(
                EvidenceKind.CITATION,
                "Credit information law, a sectoral rule on personal data",
                LAW_7593_ABC,
                "Ley 6534/2020",
            ),
        ),
    ),
    "4.2.E1": (
        AnswerValue.PARTLY,
        (
            Evidence(
                EvidenceKind.CITATION,
                "Personal data protection law, promulgated on 27 November 2025",
                LAW_7593,
                "Ley 7593/2025 (27 November 2025)",
                note=(
                    "The law creates the Agencia Nacional de Protección de Datos Personales within MITIC; it applies "
                    "after a 24-month regulation period, so it is not yet in force."
                ),
            ),
        ),
    ),
    # RF §7 "Paraguay": a Party to ETS 185 and ETS 189 by Law 5994/2017; CETS 224 signed in 2024.
    "4.4.F1": (
        AnswerValue.MET,
        (
            Evidence(
                EvidenceKind.CITATION,
                "Approval of the Budapest Convention (ETS 185) and its First Additional Protocol (ETS 189)",
                LAW_5994,
                "Ley 5994/2017 (15 December 2017)",
            ),
        ),
    ),
    "4.4.E1": (
        AnswerValue.MET,
        (
            Evidence(
                EvidenceKind.CITATION,
                "Approval of the Budapest Convention (ETS 185) and its First Additional Protocol (ETS 189)",
                LAW_5994,
                "Ley 5994/2017 (15 December 2017)",
            ),
            Evidence(
                EvidenceKind.URL,
                "Paraguay listed by the Council of Europe as a Party to the Budapest Convention",
                OCTOPUS_PY,
            ),
        ),
    ),
    "4.4.E4": (
        AnswerValue.MET,
        (Evidence(EvidenceKind.URL, "Second Additional Protocol (CETS 224) signed on 24 September 2024", CETS_224_PY),),
    ),
}

#: factor -> target stage (the demo's illustrative target profile)
TARGETS: dict[str, int] = {"1.1": 3, "1.2": 3, "4.1": 2, "4.4": 2}


def build_assessment_demo(
    organisation: Organisation, actor: User | None, say: Callable[[str], None] = lambda _message: None
) -> tuple[Assessment, bool]:
    """The illustrative assessment of Paraguay owned by ``organisation``; ``True`` when created now."""
    existing = Assessment.objects.filter(organisation=organisation, title=TITLE).first()
    if existing is not None:
        say(f"The illustrative assessment of Paraguay exists already (number {existing.pk}).")
        return existing, False
    framework = Framework.objects.get(framework_id=FRAMEWORK[0], version=FRAMEWORK[1])
    with transaction.atomic():
        assessment = do_create_assessment(
            actor,
            organisation,
            framework,
            title=TITLE,
            country="PY",
            date=DATE,
            method=Method.DESK_RESEARCH,
            stakeholder_groups=[StakeholderGroup.GOVERNMENT, StakeholderGroup.CSIRT, StakeholderGroup.JUSTICE],
            tlp=TLP.CLEAR,
            copy_targets=False,
        )
        for indicator_id, (value, evidence) in ANSWERS.items():
            answer = Answer.objects.get(assessment=assessment, indicator_id=indicator_id)
            answer = do_answer_indicator(actor, answer, None, value=value, note=ANSWER_NOTE)
            answer.translations = in_spanish(note=ANSWER_NOTE)
            answer.save(update_fields=["translations"])
            for item in evidence:
                added = do_add_answer_evidence(
                    actor,
                    answer,
                    kind=item.kind,
                    label=item.label,
                    url=item.url,
                    citation=item.citation,
                    note=item.note,
                )
                added.translations = in_spanish(label=item.label, citation=item.citation, note=item.note)
                added.save(update_fields=["translations"])
        assessment.translations = in_spanish(title=TITLE)
        assessment.save(update_fields=["translations"])
        for factor_id, stage in TARGETS.items():
            do_set_target_stage(actor, assessment.factors.get(factor_id=factor_id), stage)
        changes = do_sync_assessment_gaps(actor, assessment)
    say(
        f"Built the illustrative assessment of Paraguay (number {assessment.pk}): {len(ANSWERS)} answers, "
        f"{len(TARGETS)} target stages, {len(changes)} gaps."
    )
    return assessment, True


def build_demo_assessment_for_workspace(say: Callable[[str], None] = lambda _message: None) -> Assessment:
    """The assessment in the demo workspace: owned by MITIC, recorded by the demo coordinator."""
    organisation = Organisation.objects.get(slug="mitic")
    actor = User.objects.filter(username="demo-coordinator").first()
    return build_assessment_demo(organisation, actor, say)[0]
