"""VERIS incident records (schema 1.3.x and 1.4.x): one event per incident.

Input
    One file holding a single incident (a JSON object), a JSON array of incidents, or JSON Lines
    (one incident per line). ``line`` of a reject is the 1-based position of the incident in the
    array (1 for a single-incident file), or the 1-based line number in a JSON Lines file. A file
    that is not UTF-8, not JSON (truncated, damaged), empty, or holds more than
    ``ImportOptions.max_objects`` incidents raises :class:`SourceError`; one bad incident never
    stops the others.

Validation
    Against the VERIS Community Schema 1.4.1 shipped in ``cyberplan/pipeline/data/veris/`` (see
    SOURCE.md there), with :mod:`jsonschema` (draft 4). An incident that does not validate is
    rejected: ``field`` is the JSON path of the first problem (``timeline.incident.year``,
    ``action.hacking.variety[0]``), ``reason`` says what is wrong. Records are read by the
    version they declare:

    * ``1.4``, ``1.4.x``: the 1.4.1 schema as it is.
    * ``1.3``, ``1.3.x``: the 1.4.1 schema with the 1.3 rules of :data:`LEGACY_SCHEMA_RULES`
      (``summary``, ``asset.cloud`` and ``victim.government`` optional, ``asset.governance``
      allowed), after renaming the 1.3 values of :data:`LEGACY_VALUE_RENAMES` to their 1.4 names
      and turning the 1.3 ``discovery_method`` string (``"Ext - customer"``) into the 1.4 object
      (``{"external": {"variety": ["Customer"]}}``).
    * anything else: rejected (field ``schema_version``).

    Harmless quirks are normalised and listed in ``extra.normalised``: a version spelled
    ``1_3_2``, and the 1.3 renames above. Problems inside ``plus`` (the schema's extension
    section, where VCDB keeps its own fields such as ``credit_monitoring`` and ``Y``/``N``
    answers) never reject an incident; they are listed in ``extra.tolerated``. The stored ``raw``
    is always the incident exactly as it was in the file.

Mapping (one event per incident)
    ``time.source``
        ``timeline.incident`` at 00:00 UTC: year, month and day with ``time.precision`` = day;
        year and month (day 1) = month; year only, or a day without a month (January 1) = year.
        The incident's local ``time`` is kept in ``extra.incident_time`` (VERIS gives no zone).
    ``classification.*``
        :data:`ACTION_RSIT` gives the RSIT class of every action variety; when an incident has
        several, the class ranked highest in :data:`RSIT_PRIORITY` wins (ties:
        :data:`VARIETY_PREFERENCE`, then the order of :data:`ACTION_CATEGORIES` and of the
        record). ``classification.identifier`` is ``<action>-<variety>`` of the winner
        (``hacking-brute-force``, ``malware-ransomware``, ``error-misdelivery``), or ``unknown``.
        Every action is listed in ``extra.actions``; ``malware.name`` is ``action.malware.name``
        in lower case.
    ``victim.*``
        ``victim.country`` is the first of ``victim.country`` (``Unknown`` gives NULL; all are in
        ``extra.victim_countries`` when there are several). ``victim.sector`` comes from the NAICS
        code in ``victim.industry`` by :data:`NAICS_SECTORS` (longest matching prefix; ``00``,
        unknown or unmatched codes give NULL). ``victim.organisation`` is ``victim.victim_id``
        unless it is a placeholder (:data:`PLACEHOLDER_VICTIMS`).
    ``severity``
        The higher of :data:`RATING_SEVERITY` (``impact.overall_rating``) and
        :data:`RECORD_SEVERITY` (``attribute.confidentiality.data_total``, records exposed);
        ``unknown`` when neither is given. ``extra.severity_basis`` says which values were used.
    ``feed.*``
        ``feed.name`` is ``veris``; ``feed.provider`` is ``source_id`` (``vcdb``) or, without
        one, ``ImportOptions.feed_provider``. ``tlp`` is left to ``ImportOptions.tlp``.
    ``event_key``
        ``veris:`` + ``incident_id`` (trimmed, lower case), so importing an incident again,
        from any file, never stores it twice. A corrected record with the same id is a duplicate
        too: the first stored version stays.
    ``extra``
        summary, actions, actors, assets, data varieties, discovery method, reference,
        victim details, normalisation notes and a few ``plus`` fields (see :func:`_extra`).
        The timeline's durations, where the record gives a number with a unit of time, become
        hours: ``discovery_hours`` (compromise to discovery) and ``response_hours`` (discovery to
        containment, the time to respond the trends report counts). A unit without a number
        (``Months``: "some months") is kept as ``discovery_unit`` / ``containment_unit``.
"""

from __future__ import annotations

from .actions import ACTION_CATEGORIES, ACTION_RSIT, RSIT_PRIORITY, classify
from .importer import VerisImporter
from .schema import LEGACY_VALUE_RENAMES, allowed_values, legacy_schema, load_schema
from .victims import NAICS_SECTORS, sector_for, severity_for

# What the tests use; the rest stays in the modules of the package.
__all__ = [
    "ACTION_CATEGORIES",
    "ACTION_RSIT",
    "LEGACY_VALUE_RENAMES",
    "NAICS_SECTORS",
    "RSIT_PRIORITY",
    "VerisImporter",
    "allowed_values",
    "classify",
    "legacy_schema",
    "load_schema",
    "sector_for",
    "severity_for",
]
