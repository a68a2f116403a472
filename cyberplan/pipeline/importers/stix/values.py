"""Observable values in canonical form (addresses, names, URLs, hashes), and reading a JSON document within limits."""

from __future__ import annotations

import ipaddress
import json
import re
import urllib.parse
from typing import Any

from ..base import Source, SourceError, json_text


class BadValueError(ValueError):
    """A value that is not valid for its type; the message says why."""


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise BadValueError(f"{what} must be text, not {type(value).__name__}")
    text = value.strip()
    if not text:
        raise BadValueError(f"{what} is empty")
    return text


def ip_or_network(value: object, version: int | None = None) -> tuple[str | None, str | None]:
    """An address -> (canonical address, None); a CIDR -> (None, canonical network) (a /32 or /128 is an address)."""
    text = _text(value, "the address")
    label = {4: "an IPv4", 6: "an IPv6", None: "an IP"}[version]
    try:
        if "/" in text:
            network = ipaddress.ip_network(text, strict=False)
            if version and network.version != version:
                raise ValueError
            if network.prefixlen == network.max_prefixlen:
                return str(network.network_address), None
            return None, str(network)
        address = ipaddress.ip_address(text)
    except ValueError:
        raise BadValueError(f"{text!r} is not {label} address or network") from None
    if version and address.version != version:
        raise BadValueError(f"{text!r} is not {label} address")
    return str(address), None


def canonical_ip(value: object) -> str:
    text = _text(value, "the address")
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise BadValueError(f"{text!r} is not an IP address") from None


_LABEL = re.compile(r"^(?!-)[\w-]{1,63}(?<!-)$")


def canonical_fqdn(value: object) -> str:
    text = _text(value, "the domain name").lower().rstrip(".")
    labels = text.split(".")
    if len(text) > 253 or not all(_LABEL.match(label) for label in labels):
        raise BadValueError(f"{text!r} is not a domain name")
    return text


def canonical_url(value: object) -> str:
    text = _text(value, "the URL")
    if any(ch.isspace() or ord(ch) < 32 for ch in text):
        raise BadValueError(f"{text!r} is not a URL (it contains white space or control characters)")
    try:
        parts = urllib.parse.urlsplit(text if "://" in text else "http://" + text)
        host = parts.hostname
    except ValueError:
        host = None
    if not host:
        raise BadValueError(f"{text!r} is not a URL (no host)")
    return text


HASH_LENGTHS = {"md5": 32, "sha1": 40, "sha224": 56, "sha256": 64, "sha384": 96, "sha512": 128}


def hash_key(algorithm: str) -> str:
    """``SHA-256`` / ``sha256`` / ``'SHA-256'`` -> ``sha256``."""
    return re.sub(r"[^a-z0-9]", "", algorithm.lower())


def canonical_hash(algorithm: str, value: object) -> str:
    key = hash_key(algorithm)
    text = _text(value, f"the {algorithm} hash")
    if key in HASH_LENGTHS:
        if len(text) != HASH_LENGTHS[key] or not re.fullmatch(r"[0-9A-Fa-f]+", text):
            raise BadValueError(f"{text!r} is not an {algorithm} hash ({HASH_LENGTHS[key]} hexadecimal digits)")
        return text.lower()
    return text


def port_number(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise BadValueError(f"{value!r} is not a port number (0-65535)")
    try:
        number = int(value)
    except ValueError:
        raise BadValueError(f"{value!r} is not a port number (0-65535)") from None
    if not 0 <= number <= 65535:
        raise BadValueError(f"{value!r} is not a port number (0-65535)")
    return number


def as_number(value: object) -> int:
    text = str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else ""
    text = re.sub(r"^(?i:AS)", "", text)
    if not text.isdigit() or not 0 <= int(text) <= 4294967295:
        raise BadValueError(f"{value!r} is not an AS number")
    return int(text)


def canonical_email(value: object) -> str:
    text = _text(value, "the e-mail address")
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain or any(ch.isspace() for ch in text):
        raise BadValueError(f"{text!r} is not an e-mail address")
    return text


MAX_DEPTH = 64  # real STIX objects and MISP attributes nest a few levels; deeper ones are refused


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether the (parsed JSON) value nests lists and objects more than ``limit`` levels deep."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def unicode_clean(value: Any) -> bool:
    """Whether every string in the (parsed JSON) value is valid Unicode (JSON allows unpaired surrogates)."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    except (ValueError, TypeError, RecursionError):
        return False
    return True


def safe_raw(value: Any) -> str:
    """Canonical JSON of the value, with invalid Unicode escaped so that it can be stored."""
    try:
        text = json_text(value)
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return json.dumps(value, ensure_ascii=True, sort_keys=True, separators=(",", ":"), default=str)
    except (ValueError, TypeError, RecursionError):
        return "(not shown: the record cannot be written as JSON)"


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def load_json_document(source: Source, what: str) -> Any:
    """The file parsed as JSON, or :class:`SourceError` saying why it cannot be."""
    data = source.path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"{source.name}: not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at byte {exc.start:,}); "
            f"a {what} must be UTF-8 JSON"
        ) from None
    if not text.strip():
        raise SourceError(f"{source.name}: the file is empty")
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
            raise SourceError(
                f"{source.name}: the JSON ends too early (line {exc.lineno}, column {exc.colno}): the file is "
                "truncated or incomplete"
            ) from None
        raise SourceError(
            f"{source.name}: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    except ValueError as exc:  # NaN / Infinity
        raise SourceError(f"{source.name}: not valid JSON: {exc}") from None
    except RecursionError:
        raise SourceError(f"{source.name}: the JSON is nested too deeply to be read") from None
