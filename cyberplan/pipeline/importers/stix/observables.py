"""Observables: what one pattern alternative or one observed-data object says about a host, an address or a file."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ...schema import FIELD_NAMES
from .patterns import Comparison
from .validation import RecordError, _sco_value
from .values import (
    BadValueError,
    _text,
    canonical_email,
    canonical_fqdn,
    canonical_hash,
    canonical_ip,
    hash_key,
    ip_or_network,
    port_number,
)
from .vocabulary import NETWORK_LAYER, SCO_VALUE_TYPES, TRANSPORTS, _strings

KEY_EXTRA = ("malware.hash.", "file.name", "source.account", "destination.")


@dataclass
class Observable:
    fields: dict[str, Any] = field(default_factory=dict)  # event fields
    extra: dict[str, Any] = field(default_factory=dict)

    def set(self, name: str, value: Any, where: str) -> None:
        target = self.fields if name in FIELD_NAMES else self.extra
        current = target.get(name)
        if current is not None and current != value:
            raise RecordError("pattern", f"{where} gives {name} two values ({current!r} and {value!r}) in one event")
        target[name] = value

    @property
    def observed(self) -> bool:
        names = ("source.ip", "source.network", "source.fqdn", "source.url", "destination.ip", "destination.fqdn")
        return any(self.fields.get(n) is not None for n in names) or any(k.startswith(KEY_EXTRA) for k in self.extra)

    def key(self) -> list[str]:
        """The normalised values that identify the observable (part of the event key)."""
        values = dict(self.fields)
        values.update({k: v for k, v in self.extra.items() if k.startswith(KEY_EXTRA)})
        return [f"{k}={v}" for k, v in sorted(values.items())]


def _set_protocol(observable: Observable, value: object, where: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise BadValueError(f"{value!r} is not a protocol name")
    name = value.strip().lower()
    if name in TRANSPORTS:
        observable.set("protocol.transport", name, where)
    elif name not in NETWORK_LAYER:
        observable.set("protocol.application", name, where)


def _host(value: object) -> tuple[str, str]:
    """An address or a domain name -> ("ip", canonical) or ("fqdn", canonical)."""
    if isinstance(value, str):
        with contextlib.suppress(BadValueError):  # not an address: read it as a domain name
            return "ip", canonical_ip(value)
    return "fqdn", canonical_fqdn(value)


def observable_from_comparisons(comparisons: list[Comparison]) -> Observable:
    """One event's observable from the comparisons of one alternative; :class:`RecordError` if none maps."""
    observable = Observable()
    unmapped: list[str] = []
    for comparison in comparisons:
        path, value, where = comparison.path, comparison.value, comparison.text
        try:
            if comparison.operator == "ISSUBSET" and path in ("ipv4-addr:value", "ipv6-addr:value"):
                ip, network = ip_or_network(value, 4 if path.startswith("ipv4") else 6)
                observable.set("source.network", network or ip, where)
            elif comparison.operator != "=":
                unmapped.append(where)
                continue
            elif path in ("ipv4-addr:value", "ipv6-addr:value", "domain-name:value", "url:value"):
                for name, mapped in _sco_value(path.split(":")[0], value).items():
                    observable.set(name, mapped, where)
            elif path.startswith("file:hashes."):
                algorithm = path.removeprefix("file:hashes.").strip("'")
                observable.set(f"malware.hash.{hash_key(algorithm)}", canonical_hash(algorithm, value), where)
            elif path == "file:name":
                observable.set("file.name", _text(value, "the file name"), where)
            elif path == "email-addr:value":
                observable.set("source.account", canonical_email(value), where)
            elif path in ("network-traffic:src_ref.value", "network-traffic:dst_ref.value"):
                side = "source" if path.startswith("network-traffic:src") else "destination"
                kind, host = _host(value)
                observable.set(f"{side}.{kind}", host, where)
            elif path in ("network-traffic:src_port", "network-traffic:dst_port"):
                side = "source" if "src_port" in path else "destination"
                observable.set(f"{side}.port", port_number(value), where)
            elif re.fullmatch(r"network-traffic:protocols\[(\*|\d+)\]", path):
                _set_protocol(observable, value, where)
            elif path in ("network-traffic:src_ref.type", "network-traffic:dst_ref.type"):
                continue  # says which kind of address the other comparison holds
            else:
                unmapped.append(where)
                continue
        except BadValueError as exc:
            raise RecordError("pattern", f"{where}: {exc}") from None
    if not observable.observed:
        raise RecordError(
            "pattern",
            "no comparison cyberplan maps (addresses, domain names, URLs, file hashes, e-mail addresses, network "
            "traffic) in: " + " AND ".join(c.text for c in comparisons),
        )
    if unmapped:
        observable.extra["pattern.unmapped"] = unmapped
    return observable


def sco_observables(scos: Mapping[str, dict[str, Any]]) -> tuple[list[Observable], list[str]]:
    """Observables from the cyber observables of one observed-data, and the types left unmapped."""
    consumed: set[str] = set()
    observables: list[Observable] = []

    def where(ref: str) -> str:
        return ref if "--" in ref else f"objects.{ref}"

    def address(observable: Observable, ref: object, side: str, at: str) -> None:
        target = scos.get(ref) if isinstance(ref, str) else None
        if target is None or target.get("type") not in ("ipv4-addr", "ipv6-addr", "domain-name"):
            return
        consumed.add(str(ref))
        for name, value in _sco_value(str(target["type"]), target.get("value")).items():
            observable.set(name.replace("source.", f"{side}.", 1), value, at)

    try:
        for ref, sco in scos.items():  # network traffic first: it takes the addresses it refers to
            if sco.get("type") != "network-traffic":
                continue
            observable = Observable()
            address(observable, sco.get("src_ref"), "source", where(ref))
            address(observable, sco.get("dst_ref"), "destination", where(ref))
            for side, prop in (("source", "src_port"), ("destination", "dst_port")):
                if sco.get(prop) is not None:
                    observable.set(f"{side}.port", port_number(sco[prop]), where(ref))
            for protocol in _strings(sco.get("protocols")):
                _set_protocol(observable, protocol, where(ref))
            consumed.add(ref)
            if observable.observed:
                observables.append(observable)
        for ref, sco in scos.items():  # names with the addresses they resolve to
            resolved = [r for r in _strings(sco.get("resolves_to_refs")) if r in scos]
            if sco.get("type") != "domain-name" or ref in consumed or not resolved:
                continue
            observable = Observable()
            observable.set("source.fqdn", canonical_fqdn(sco.get("value")), where(ref))
            consumed.add(ref)
            for target_ref in resolved:
                target = scos[target_ref]
                if target.get("type") in ("ipv4-addr", "ipv6-addr"):
                    consumed.add(target_ref)
                    ip, network = ip_or_network(target.get("value"))
                    if ip and "source.ip" not in observable.fields:
                        observable.set("source.ip", ip, where(ref))
                    else:
                        observable.extra.setdefault("resolves_to", []).append(ip or network)
            observables.append(observable)
        unmapped: set[str] = set()
        for ref, sco in scos.items():  # everything else, one event each
            if ref in consumed:
                continue
            kind = str(sco.get("type"))
            observable = Observable()
            if kind in SCO_VALUE_TYPES:
                observable.fields.update(_sco_value(kind, sco.get("value")))
            elif kind == "file":
                hashes = sco.get("hashes")
                for algorithm, value in sorted(hashes.items()) if isinstance(hashes, dict) else []:
                    observable.set(
                        f"malware.hash.{hash_key(str(algorithm))}",
                        canonical_hash(str(algorithm), value),
                        where(ref),
                    )
                if isinstance(sco.get("name"), str) and sco["name"]:
                    observable.set("file.name", sco["name"], where(ref))
            elif kind == "email-addr":
                observable.set("source.account", canonical_email(sco.get("value")), where(ref))
            if observable.observed:
                observables.append(observable)
            else:
                unmapped.add(kind)
    except BadValueError as exc:
        raise RecordError("objects" if any("--" not in r for r in scos) else "object_refs", str(exc)) from None
    return observables, sorted(unmapped)
