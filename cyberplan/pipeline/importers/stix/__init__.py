"""STIX 2.1 bundles (JSON): indicators, observed data, sightings and incidents become events.

What is a record
----------------
Every object in the bundle's ``objects`` array is validated; an object that fails becomes a
reject whose ``line`` is its position in ``objects`` (0-based), with the property at fault as
``field`` when it is known (``""`` otherwise) and the reason. A bad object never costs the
good ones: objects are validated one by one. Objects that only describe (identity, malware,
relationship, marking-definition, report, attack-pattern, threat-actor, ...) and the cyber
observables (SCOs) give no event of their own: they are the context the events are built
from. One object may give several events (an indicator with ``OR``), so the number read is
the number of events staged plus the number of rejects.

Validation, per object, in this order: the importer's own checks (an object with a ``type``
and an ``id``, nested at most 64 levels, every Unicode string valid, the timestamps
(``created``, ``modified``, ``valid_from``, ``first_seen``, ``first_observed``, ...) UTC and
ending with ``Z`` -- a timestamp without a zone is rejected --, ``confidence`` 0-100, the
value of ``ipv4-addr``, ``ipv6-addr``, ``domain-name`` and ``url`` observables), then the
``stix2`` library's object model (required properties, types, identifiers, timestamps,
pattern grammar), then stix2-validator: its JSON schemas and MUST checks when the installed
package ships its schemas, its MUST checks alone when it does not (stix2-validator 3.3.1 as
published on PyPI lacks the schema files, oasis-open/cti-stix-validator issue 248). A
validator check that fails to run on an object the ``stix2`` object model accepted (the
validator trips on some valid objects, such as embedded observables without ids) does not
reject it: the failure is noted in ``extra.validation.notes``, as are the library's notices
(the deprecated ``objects`` property of observed data).

A whole file that is not UTF-8, not JSON, truncated, not a bundle, or a bundle with more
objects than ``ImportOptions.max_objects`` is refused with :class:`SourceError`.

Events
------
Common to every event: ``feed.name`` = ``stix``; ``feed.provider`` = name of the identity the
object's ``created_by_ref`` points to (else the import's default); ``raw`` = the object as
canonical JSON; ``extra`` = ``stix.id``, ``stix.type``, ``name``, ``description``,
``confidence``, ``labels``, ``external_ids`` (``source_name:external_id``, or the URL) and
what is listed below; ``event_key`` = the object's id and the observable values, so the same
object imported again is a duplicate (a newer version of an object with the same id is a
duplicate too).

``indicator`` (``pattern_type`` ``stix``)
    ``time.source`` = ``valid_from``. The pattern is parsed with the ``stix2`` pattern
    visitor and put in disjunctive normal form: every alternative of an ``OR`` (also
    ``IN (...)``) is one event; the comparisons joined by ``AND`` (also ``FOLLOWEDBY``) are
    one event carrying all of them. Qualifiers (``WITHIN``, ``REPEATS``, ``START/STOP``) are
    kept in ``extra.pattern.qualifiers``. Comparisons mapped:

    ===========================================  =============================================
    ``ipv4-addr:value``, ``ipv6-addr:value``     ``source.ip`` (a CIDR: ``source.network``);
                                                 ``ISSUBSET``: ``source.network``
    ``domain-name:value``                        ``source.fqdn`` (lower case, no final dot)
    ``url:value``                                ``source.url``
    ``file:hashes.'MD5'`` / ``SHA-1`` / ...      ``extra.malware.hash.md5`` / ``sha1`` / ...
    ``file:name``                                ``extra.file.name``
    ``email-addr:value``                         ``extra.source.account``
    ``network-traffic:src_ref.value``            ``source.ip`` or ``source.fqdn``
    ``network-traffic:dst_ref.value``            ``destination.ip`` or ``destination.fqdn``
    ``network-traffic:src_port`` / ``dst_port``  ``source.port`` / ``destination.port``
    ``network-traffic:protocols[*]``             ``protocol.transport`` (tcp, udp, icmp, sctp)
                                                 or ``protocol.application``
    ===========================================  =============================================

    Other comparisons of an alternative are kept as text in ``extra.pattern.unmapped``; an
    alternative with no mapped comparison, a pattern that does not parse, a value that is not
    valid for its type (``'999.1.1.1'`` as an address) or an ``AND`` giving one field two
    values is a reject (field ``pattern``). Indicators in another pattern language (Sigma,
    Snort, YARA, ...) are rejects: cyberplan does not map them. ``malware.name`` (and
    ``classification.identifier``) come from the ``malware`` objects the indicator
    ``indicates`` (relationships); the first by name, all of them in ``extra.malware.names``.
``observed-data``
    ``time.source`` = ``first_observed``; the observables are the SCOs of ``object_refs``
    (or of the deprecated embedded ``objects``): a ``network-traffic`` gives one event with
    its ``src_ref`` / ``dst_ref`` addresses, ports and protocols; a ``domain-name`` with
    ``resolves_to_refs`` gives the name and its (first) address; every other ``ipv4-addr``,
    ``ipv6-addr``, ``domain-name``, ``url``, ``file`` (hashes) and ``email-addr`` is one
    event, mapped as in the table above. ``number_observed`` and ``last_observed`` go to
    ``extra``. Observed data with no observable cyberplan maps is a reject.
``sighting``
    ``time.source`` = ``first_seen``, else ``created``; ``extra.sighting.count`` = ``count``.
    A sighting of an indicator of the bundle gives one event per observable of the
    indicator, with its classification and malware; otherwise one event without observable.
``incident``
    ``time.source`` = ``created``; one event, classified from its labels and from
    ``incident_types`` in its extensions, else ``other/other``.

Classification (RSIT)
---------------------
The first of these that gives a specific class wins, else ``other/other``:

1. machine tags among the object's ``labels``: ``rsit:<class>="<type>"`` and the older
   ``ecsirt:<class>="<type>"`` (eCSIRT.net names are mapped to current RSIT names, see
   ``LEGACY_RSIT``), as MISP writes them when it exports STIX;
2. ``indicator_types`` (indicators), ``incident_types`` (incidents) and plain ``labels``,
   looked up in ``VOCABULARY``:

   ====================================================  =======================================
   ``phishing``                                          fraud / phishing
   ``compromised``                                       intrusions / system-compromise
   ``botnet``, ``bot``, ``malware``, ``ransomware``      malicious-code / infected-system
   ``c2``, ``c2-server``, ``command-and-control``        malicious-code / c2-server
   ``malware-distribution``                              malicious-code / malware-distribution
   ``scanner``, ``scanning``                             information-gathering / scanner
   ``spam``                                              abusive-content / spam
   ``ddos``; ``dos``, ``denial-of-service``              availability / ddos; dos
   ``brute-force``; ``exploit``, ``exploitation``        intrusion-attempts / brute-force; exploit
   ``defacement``                                        information-content-security /
                                                         unauthorised-information-modification
   ``unauthorized-access``, ``unauthorised-access``      information-content-security /
                                                         unauthorised-information-access
   ``data-leak``, ``data-breach``, ``exfiltration``      information-content-security / data-leak
   ``vulnerable``, ``vulnerability``                     vulnerable / vulnerable-system
   ``test``                                              test / test
   ``malicious-activity``, ``anomalous-activity``,       other / other (too general to say more)
   ``anonymization``, ``attribution``, ``benign``,
   ``unknown``
   ====================================================  =======================================

3. ``malware_types`` of the malware the indicator indicates (``MALWARE_TYPES``): ``bot`` ->
   malicious-code / infected-system; ``exploit-kit``, ``dropper``, ``downloader`` ->
   malicious-code / malware-distribution; other malware types say nothing about the
   observable's role and give no class.

TLP
---
From ``object_marking_refs``: the four standard STIX TLP 1.0 marking definitions (white ->
``clear``, green, amber, red), the five TLP 2.0 marking definitions, and any marking
definition of the bundle that carries the TLP 2.0 extension
(``extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d``, property ``tlp_2_0``), a
TLP 1.0 ``definition`` or a ``TLP:...`` name; also from ``tlp:`` labels (MISP writes its TLP
tags as labels when it exports STIX). Standard marking ids always mean their standard level,
whatever a bundle says they contain. Several TLP levels, or an event carrying content of
several objects (observed data and its SCOs, a sighting and its indicator): the most
restrictive of all applies. No TLP marking: the import's default (``ImportOptions.tlp``);
markings that are not TLP (statements, PAP, ...) are not read, nor are granular markings.

The helpers in the section "shared with the MISP importer" are used by :mod:`.misp` too.
"""

from __future__ import annotations

from .bundle import StixImporter
from .patterns import pattern_alternatives
from .values import (
    MAX_DEPTH,
    BadValueError,
    as_number,
    canonical_email,
    canonical_fqdn,
    canonical_hash,
    canonical_ip,
    canonical_url,
    hash_key,
    ip_or_network,
    load_json_document,
    port_number,
    safe_raw,
    too_deep,
    unicode_clean,
)
from .vocabulary import OTHER, classify, most_restrictive, rsit_from_machine_tag, tlp_level

# What the MISP importer and the tests use; the rest stays in the modules of the package.
__all__ = [
    "MAX_DEPTH",
    "OTHER",
    "BadValueError",
    "StixImporter",
    "as_number",
    "canonical_email",
    "canonical_fqdn",
    "canonical_hash",
    "canonical_ip",
    "canonical_url",
    "classify",
    "hash_key",
    "ip_or_network",
    "load_json_document",
    "most_restrictive",
    "pattern_alternatives",
    "port_number",
    "rsit_from_machine_tag",
    "safe_raw",
    "tlp_level",
    "too_deep",
    "unicode_clean",
]
