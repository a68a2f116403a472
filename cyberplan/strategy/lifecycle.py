"""The lifecycle of a national strategy: the tasks each phase needs, and where the evidence is.

The phases follow the international guide to developing a national cybersecurity strategy
(initiation; stocktaking and analysis; production; implementation; monitoring and evaluation).
The task wording is the project's own.
"""

from __future__ import annotations

from .choices import Phase

# (phase, title in English, title in Spanish): offered when a strategy is created, editable after.
DEFAULT_TASKS: list[tuple[str, str, str]] = [
    (Phase.INITIATION, "Name the lead authority and its mandate", "Designar la autoridad responsable y su mandato"),
    (Phase.INITIATION, "Identify the stakeholders to involve", "Identificar las partes interesadas a involucrar"),
    (Phase.INITIATION, "Agree the development plan and its calendar", "Acordar el plan de elaboración y su calendario"),
    (Phase.STOCKTAKING, "Assess national cybersecurity capacity", "Evaluar la capacidad nacional de ciberseguridad"),
    (
        Phase.STOCKTAKING,
        "Analyse the threat landscape from CSIRT data",
        "Analizar las amenazas con los datos del CSIRT",
    ),
    (
        Phase.STOCKTAKING,
        "Review the legal framework against the Budapest Convention",
        "Revisar el marco legal frente al Convenio de Budapest",
    ),
    (Phase.STOCKTAKING, "Consolidate the gap register", "Consolidar el registro de brechas"),
    (
        Phase.PRODUCTION,
        "Write the draft: vision, axes, objectives and actions",
        "Redactar el borrador: visión, ejes, objetivos y acciones",
    ),
    (Phase.PRODUCTION, "Consult stakeholders on the draft", "Consultar el borrador con las partes interesadas"),
    (Phase.PRODUCTION, "Approve and publish the strategy", "Aprobar y publicar la estrategia"),
    (
        Phase.IMPLEMENTATION,
        "Confirm lead institutions, budgets and calendars",
        "Confirmar instituciones responsables, presupuestos y calendarios",
    ),
    (Phase.IMPLEMENTATION, "Set the baseline of every KPI", "Fijar la línea de base de cada indicador"),
    (Phase.MONITORING, "Collect progress updates every period", "Recoger los informes de avance de cada periodo"),
    (
        Phase.MONITORING,
        "Publish the monitoring and evaluation report",
        "Publicar el informe de seguimiento y evaluación",
    ),
    (
        Phase.MONITORING,
        "Run a new capacity assessment for the review",
        "Realizar una nueva evaluación de capacidad para la revisión",
    ),
]
