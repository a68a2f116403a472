"""The demo's illustrative legal alignment review of Paraguay, built from public facts.

Verified facts (docs/reference/demo-workspace.md lists the sources): Law 4439/2011 added computer
crimes to the Penal Code; Law 5994 of 15 December 2017 approves ETS 185 and ETS 189; Paraguay signed
CETS 224 on 24 September 2024; Law 6207/2018 created MITIC; Law 7593/2025 on personal data was
promulgated on 27 November 2025; the entry into force of ETS 185 for seven Parties of the Americas.
Everything else (the articles' wording, every coverage and its reasoning, the dates not listed above)
is illustrative: each finding is marked so, and the review's title says it. Building it twice creates
nothing new.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction

from cyberplan.core.choices import TLP
from cyberplan.core.models import Organisation, User

from .actions import (
    do_create_review,
    do_import_instruments_csv,
    do_push_review_gaps,
    do_set_review_state,
    do_set_treaty_status,
    do_update_finding,
)
from .catalogue import shipped_catalogue
from .choices import Coverage, ReviewState, StatusBasis
from .models import InstrumentArticle, Review

TITLE = "Illustrative legal alignment review of Paraguay (demo, built from public facts)"
DATE = dt.date(2026, 6, 30)

LAW_5994 = "http://www.ilo.org/dyn/natlex/natlex4.detail?p_lang=en&p_isn=106286&p_country=PRY"
CETS_224_PY = "https://verdragen.nl/en/Treaty/Details/013833_p.html"
LAC_IN_FORCE = "https://inview.nl/document/ida9135c0f2679103f04a4f8f7d99c2d8c"
OCTOPUS_PY = "https://coe.int/en/web/octopus/-/paraguay"
LAW_7593 = "https://dplnews.com/paraguay-promulga-ley-que-crea-agencia-de-proteccion-de-datos-personales"

# Article headings follow the Penal Code as amended by Law 4439/2011; the texts are short illustrative
# descriptions, not the statutory wording. Dates other than those the module docstring lists are illustrative.
INSTRUMENTS_CSV = """kind,number,title,date,official_url,status,status_date,amended_by,article,heading,text
code,1160/97,Código Penal (illustrative entry),1997-11-26,,amended,2011-10-03,law 4439,146 b,Acceso indebido a datos,Illustrative description: accessing data not meant for oneself by overcoming a protection.
code,1160/97,Código Penal (illustrative entry),1997-11-26,,amended,2011-10-03,law 4439,146 c,Interceptación de datos,Illustrative description: intercepting non-public data transmissions.
code,1160/97,Código Penal (illustrative entry),1997-11-26,,amended,2011-10-03,law 4439,146 d,Preparación de acceso indebido e interceptación de datos,Illustrative description: producing or distributing passwords or programs made to commit 146 b or 146 c.
code,1160/97,Código Penal (illustrative entry),1997-11-26,,amended,2011-10-03,law 4439,174,Alteración de datos,Illustrative description: deleting or altering data without right.
code,1160/97,Código Penal (illustrative entry),1997-11-26,,amended,2011-10-03,law 4439,174 b,Acceso indebido a sistemas informáticos,Illustrative description: accessing a computer system without authorisation.
code,1160/97,Código Penal (illustrative entry),1997-11-26,,amended,2011-10-03,law 4439,175,Sabotaje de sistemas informáticos,Illustrative description: hindering the functioning of a computer system.
code,1160/97,Código Penal (illustrative entry),1997-11-26,,amended,2011-10-03,law 4439,188,Estafa mediante sistemas informáticos,Illustrative description: causing a loss of property by manipulating data or a system.
law,4439,Que modifica y amplía varias disposiciones de la Ley N° 1160/97 Código Penal,2011-10-03,,in_force,,,1,,Illustrative description: the articles of the Penal Code it amends or adds.
law,5994,Que aprueba el Convenio sobre la Ciberdelincuencia y su Protocolo adicional,2017-12-15,http://www.ilo.org/dyn/natlex/natlex4.detail?p_lang=en&p_isn=106286&p_country=PRY,in_force,,,1,,Illustrative description: approves ETS 185 and ETS 189.
law,6207,Que crea el Ministerio de Tecnologías de la Información y Comunicación,2018-10-22,,in_force,,,1,,Illustrative description: creates MITIC.
law,7593,De Protección de Datos Personales en la República del Paraguay,2025-11-27,https://dplnews.com/paraguay-promulga-ley-que-crea-agencia-de-proteccion-de-datos-personales,in_force,,,1,,Illustrative description: a comprehensive personal-data law; in force after a 24-month regulation period.
"""

# provision -> (coverage, reasoning, [(instrument number, article)])
PENAL = "1160/97"
FINDINGS: dict[str, tuple[str, str, list[tuple[str, str]]]] = {
    "ets-185:1": (
        Coverage.PARTIAL,
        "The Penal Code defines data for its computer offences; not every term of article 1.",
        [(PENAL, "146 b")],
    ),
    "ets-185:2": (Coverage.FULL, "Illegal access to a system is an offence.", [(PENAL, "174 b")]),
    "ets-185:3": (Coverage.FULL, "Interception of non-public transmissions is an offence.", [(PENAL, "146 c")]),
    "ets-185:4": (Coverage.FULL, "Altering or deleting data is an offence.", [(PENAL, "174")]),
    "ets-185:5": (Coverage.FULL, "Sabotage of computer systems is an offence.", [(PENAL, "175")]),
    "ets-185:6": (
        Coverage.PARTIAL,
        "Tools and passwords are covered; possession alone is not checked.",
        [(PENAL, "146 d")],
    ),
    "ets-185:7": (Coverage.PARTIAL, "General forgery offences; computer-related forgery not checked.", []),
    "ets-185:8": (Coverage.FULL, "Computer fraud is an offence.", [(PENAL, "188")]),
    "ets-185:9": (
        Coverage.PARTIAL,
        "Offences against minors exist; their reach to computer systems is not checked.",
        [],
    ),
    "ets-185:10": (Coverage.PARTIAL, "Intellectual property offences exist; not checked against article 10.", []),
    "ets-185:11": (Coverage.FULL, "The general part of the Penal Code punishes attempt and participation.", []),
    "ets-185:12": (Coverage.NONE, "No corporate criminal liability found in the public sources used.", []),
    "ets-185:13": (Coverage.FULL, "The offences carry custodial sentences.", []),
    "ets-185:22": (
        Coverage.PARTIAL,
        "General jurisdiction rules of the Penal Code; not checked against article 22.",
        [],
    ),
}
PROCEDURAL = "Procedural powers would sit in the Code of Criminal Procedure, which this demo has not mapped."
FINAL_CLAUSE = "A final clause: it binds the Parties as a treaty, not through national law."
CO_OPERATION = (
    "Law 5994/2017 approves the Convention; its co-operation provisions apply as a treaty. Practice not checked."
)


#: The demo's own texts in Spanish, kept as each record's translation so a Spanish reader reads them so.
SPANISH: dict[str, str] = {
    TITLE: "Revisión ilustrativa de la alineación legal del Paraguay (demostración, construida con hechos públicos)",
    "The Penal Code defines data for its computer offences; not every term of article 1.": (
        "El Código Penal define los datos para sus delitos informáticos; no todos los términos del artículo 1."
    ),
    "Illegal access to a system is an offence.": "El acceso ilícito a un sistema es delito.",
    "Interception of non-public transmissions is an offence.": "La interceptación de transmisiones no públicas es delito.",
    "Altering or deleting data is an offence.": "Alterar o borrar datos es delito.",
    "Sabotage of computer systems is an offence.": "El sabotaje de sistemas informáticos es delito.",
    "Tools and passwords are covered; possession alone is not checked.": (
        "Las herramientas y las contraseñas están cubiertas; la sola posesión no se verificó."
    ),
    "General forgery offences; computer-related forgery not checked.": (
        "Delitos generales de falsificación; la falsificación informática no se verificó."
    ),
    "Computer fraud is an offence.": "El fraude informático es delito.",
    "Offences against minors exist; their reach to computer systems is not checked.": (
        "Existen delitos contra menores; no se verificó su alcance a los sistemas informáticos."
    ),
    "Intellectual property offences exist; not checked against article 10.": (
        "Existen delitos contra la propiedad intelectual; no se cotejaron con el artículo 10."
    ),
    "The general part of the Penal Code punishes attempt and participation.": (
        "La parte general del Código Penal castiga la tentativa y la participación."
    ),
    "No corporate criminal liability found in the public sources used.": (
        "No se halló responsabilidad penal de las personas jurídicas en las fuentes públicas usadas."
    ),
    "The offences carry custodial sentences.": "Los delitos conllevan penas privativas de libertad.",
    "General jurisdiction rules of the Penal Code; not checked against article 22.": (
        "Reglas generales de jurisdicción del Código Penal; no se cotejaron con el artículo 22."
    ),
    PROCEDURAL: (
        "Las facultades procesales estarían en el Código Procesal Penal, que esta demostración no ha mapeado."
    ),
    CO_OPERATION: (
        "La Ley 5994/2017 aprueba el Convenio; sus disposiciones de cooperación se aplican como tratado. "
        "La práctica no se verificó."
    ),
    FINAL_CLAUSE: "Una cláusula final: obliga a las Partes como tratado, no a través de la ley nacional.",
    # The national articles' illustrative descriptions (the headings are the Penal Code's own, in Spanish).
    "Illustrative description: accessing data not meant for oneself by overcoming a protection.": (
        "Descripción ilustrativa: acceder a datos no destinados a uno mismo superando una protección."
    ),
    "Illustrative description: intercepting non-public data transmissions.": (
        "Descripción ilustrativa: interceptar transmisiones de datos no públicas."
    ),
    "Illustrative description: producing or distributing passwords or programs made to commit 146 b or 146 c.": (
        "Descripción ilustrativa: producir o distribuir contraseñas o programas hechos para cometer 146 b o 146 c."
    ),
    "Illustrative description: deleting or altering data without right.": (
        "Descripción ilustrativa: borrar o alterar datos sin derecho."
    ),
    "Illustrative description: accessing a computer system without authorisation.": (
        "Descripción ilustrativa: acceder a un sistema informático sin autorización."
    ),
    "Illustrative description: hindering the functioning of a computer system.": (
        "Descripción ilustrativa: obstaculizar el funcionamiento de un sistema informático."
    ),
    "Illustrative description: causing a loss of property by manipulating data or a system.": (
        "Descripción ilustrativa: causar un perjuicio patrimonial manipulando datos o un sistema."
    ),
    "Illustrative description: the articles of the Penal Code it amends or adds.": (
        "Descripción ilustrativa: los artículos del Código Penal que modifica o agrega."
    ),
    "Illustrative description: approves ETS 185 and ETS 189.": "Descripción ilustrativa: aprueba el STE 185 y el STE 189.",
    "Illustrative description: creates MITIC.": "Descripción ilustrativa: crea el MITIC.",
    "Illustrative description: a comprehensive personal-data law; in force after a 24-month regulation period.": (
        "Descripción ilustrativa: una ley integral de datos personales; en vigor tras un período de "
        "reglamentación de 24 meses."
    ),
}


def _translate_articles(organisation: Organisation) -> None:
    """Keep the Spanish of the demo articles' illustrative descriptions (the import brings the English)."""
    for article in InstrumentArticle.objects.filter(instrument__organisation=organisation, instrument__country="PY"):
        spanish = SPANISH.get(article.text)
        if spanish and article.translations.get("es", {}).get("text") != spanish:
            article.translations = {"es": {"text": spanish}}
            article.save(update_fields=["translations"])


def _articles(organisation: Organisation, refs: list[tuple[str, str]]) -> list[InstrumentArticle]:
    return [
        InstrumentArticle.objects.get(instrument__organisation=organisation, instrument__number=number, number=article)
        for number, article in refs
    ]


def _finding_for(key: str) -> tuple[str, str, list[tuple[str, str]]]:
    article = shipped_catalogue().article(key)
    if key in FINDINGS:
        return FINDINGS[key]
    if article.treaty != "ets-185":
        return ("", "", [])
    if article.chapter == "II" and article.section == "2":
        return (Coverage.PARTIAL, PROCEDURAL, [])
    if article.chapter == "III":
        return (Coverage.FULL, CO_OPERATION, [("5994", "1")])
    return (Coverage.NOT_APPLICABLE, FINAL_CLAUSE, [])


def _treaty_status(actor: User | None) -> None:
    verified, illustrative = StatusBasis.VERIFIED, StatusBasis.ILLUSTRATIVE
    approval = "Law 5994 of 15 Dec 2017 approves the Convention and the First Protocol; deposit date not found."
    do_set_treaty_status(actor, "PY", "ets-185", source_url=LAW_5994, basis=verified, note=approval)
    do_set_treaty_status(actor, "PY", "ets-189", source_url=LAW_5994, basis=verified, note=approval)
    do_set_treaty_status(actor, "PY", "cets-224", signed=dt.date(2024, 9, 24), source_url=CETS_224_PY, basis=verified)
    for country, in_force in (
        ("DO", dt.date(2013, 6, 1)),
        ("CL", dt.date(2017, 8, 1)),
        ("CR", dt.date(2018, 1, 1)),
        ("AR", dt.date(2018, 10, 1)),
        ("CO", dt.date(2020, 7, 1)),
        ("BR", dt.date(2023, 3, 1)),
        ("GD", dt.date(2024, 8, 1)),
    ):
        do_set_treaty_status(actor, country, "ets-185", in_force=in_force, source_url=LAC_IN_FORCE, basis=verified)
    for country in ("PA", "PE"):
        do_set_treaty_status(
            actor, country, "ets-185", basis=illustrative, note="A Party; dates not checked against a published source."
        )


@transaction.atomic
def build_legal_demo(
    organisation: Organisation, actor: User | None, say: Callable[[str], None] = lambda _message: None
) -> tuple[Review, bool]:
    """The illustrative review of Paraguay, approved, with its gaps; ``(review, created)``."""
    do_import_instruments_csv(actor, organisation, "PY", INSTRUMENTS_CSV.encode("utf-8"))
    _translate_articles(organisation)
    _treaty_status(actor)
    existing = Review.objects.filter(organisation=organisation, title=TITLE).first()
    if existing is not None:
        say("Legal alignment: the illustrative review of Paraguay exists already.")
        return existing, False
    review = do_create_review(
        actor, organisation, title=TITLE, country="PY", date=DATE, tlp=TLP.GREEN, illustrative=True
    )
    review.translations = {"es": {"title": SPANISH[TITLE]}}
    review.save(update_fields=["translations"])
    for finding in review.provisions.all():
        coverage, reasoning, refs = _finding_for(finding.provision)
        if coverage:
            finding = do_update_finding(
                actor,
                finding,
                coverage=coverage,
                reasoning=f"Illustrative. {reasoning}",
                national_articles=_articles(organisation, refs),
            )
            if reasoning in SPANISH:
                finding.translations = {"es": {"reasoning": f"Ilustrativo. {SPANISH[reasoning]}"}}
                finding.save(update_fields=["translations"])
    review.provisions.update(illustrative=True)
    do_set_review_state(actor, review, ReviewState.IN_REVIEW)
    review = do_set_review_state(actor, review, ReviewState.APPROVED)
    pushed = do_push_review_gaps(actor, review)
    say(f"Legal alignment: an illustrative review of Paraguay, {pushed.created} gaps in the register.")
    return review, True


def build_demo_legal_for_workspace(say: Callable[[str], None] = lambda _message: None) -> Review:
    """The review in the demo workspace: owned by MITIC, recorded by the demo coordinator."""
    organisation = Organisation.objects.get(slug="mitic")
    actor = User.objects.filter(username="demo-coordinator").first()
    return build_legal_demo(organisation, actor, say)[0]
