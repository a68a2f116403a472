"""The lifecycle of a national strategy: the tasks each phase needs, and where the evidence is.

The phases follow the international guide to developing a national cybersecurity strategy
(initiation; stocktaking and analysis; production; implementation; monitoring and evaluation).
The task wording is the project's own.
"""

from __future__ import annotations

from .choices import Phase

# (key, phase, title in English, title in Spanish): offered when a strategy is created, editable after.
# The key stays when the title is edited: it ties the task to the state that shows it done
# (``lifecycle_state.py``).
DEFAULT_TASKS: list[tuple[str, str, str, str]] = [
    (
        "lead_authority",
        Phase.INITIATION,
        "Name the lead authority and its mandate",
        "Designar la autoridad responsable y su mandato",
    ),
    (
        "stakeholders",
        Phase.INITIATION,
        "Identify the stakeholders to involve",
        "Identificar las partes interesadas a involucrar",
    ),
    (
        "development_plan",
        Phase.INITIATION,
        "Agree the development plan and its calendar",
        "Acordar el plan de elaboración y su calendario",
    ),
    (
        "assessment",
        Phase.STOCKTAKING,
        "Assess national cybersecurity capacity",
        "Evaluar la capacidad nacional de ciberseguridad",
    ),
    (
        "threats",
        Phase.STOCKTAKING,
        "Analyse the threat landscape from CSIRT data",
        "Analizar las amenazas con los datos del CSIRT",
    ),
    (
        "legal_review",
        Phase.STOCKTAKING,
        "Review the legal framework against the Budapest Convention",
        "Revisar el marco legal frente al Convenio de Budapest",
    ),
    ("gap_register", Phase.STOCKTAKING, "Consolidate the gap register", "Consolidar el registro de brechas"),
    (
        "draft",
        Phase.PRODUCTION,
        "Write the draft: vision, axes, objectives and actions",
        "Redactar el borrador: visión, ejes, objetivos y acciones",
    ),
    (
        "consultation",
        Phase.PRODUCTION,
        "Consult stakeholders on the draft",
        "Consultar el borrador con las partes interesadas",
    ),
    ("publication", Phase.PRODUCTION, "Approve and publish the strategy", "Aprobar y publicar la estrategia"),
    (
        "leads_budgets",
        Phase.IMPLEMENTATION,
        "Confirm lead institutions, budgets and calendars",
        "Confirmar instituciones responsables, presupuestos y calendarios",
    ),
    (
        "kpi_baselines",
        Phase.IMPLEMENTATION,
        "Set the baseline of every KPI",
        "Fijar la línea de base de cada indicador",
    ),
    (
        "progress_updates",
        Phase.MONITORING,
        "Collect progress updates every period",
        "Recoger los informes de avance de cada periodo",
    ),
    (
        "monitoring_report",
        Phase.MONITORING,
        "Publish the monitoring and evaluation report",
        "Publicar el informe de seguimiento y evaluación",
    ),
    (
        "review_assessment",
        Phase.MONITORING,
        "Run a new capacity assessment for the review",
        "Realizar una nueva evaluación de capacidad para la revisión",
    ),
]
