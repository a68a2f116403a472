"""Importers, one module per format, all on the interface of :mod:`.base`."""

from __future__ import annotations

from .base import Importer, ImportOptions, Source, UnknownFormatError

_REGISTRY: dict[str, type[Importer]] = {}


def register(cls: type[Importer]) -> type[Importer]:
    _REGISTRY[cls.format] = cls
    return cls


def formats() -> list[str]:
    _load_all()
    return sorted(_REGISTRY)


def get(name: str) -> Importer:
    _load_all()
    try:
        return _REGISTRY[name]()
    except KeyError:
        raise UnknownFormatError(f"unknown format {name!r}; known formats: {', '.join(sorted(_REGISTRY))}") from None


def detect(source: Source) -> Importer:
    """The importer that recognises the file, tried in a fixed order (most specific first)."""
    _load_all()
    head = source.head()
    for name in ("shadowserver", "stix", "misp", "veris"):
        if name in _REGISTRY and _REGISTRY[name].detect(source, head):
            return _REGISTRY[name]()
    raise UnknownFormatError(
        f"{source.name}: the format was not recognised (looked for a Shadowserver report, a STIX 2.1 bundle, "
        "a MISP event and a VERIS incident); give --format, or --format csv with a saved column mapping"
    )


def _load_all() -> None:
    # Importing a module registers its importer.
    from . import csvmap, shadowserver  # noqa: F401

    for optional in ("stix", "misp", "veris"):
        try:
            __import__(f"{__name__}.{optional}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{optional}":
                raise


__all__ = ["ImportOptions", "Importer", "Source", "UnknownFormatError", "detect", "formats", "get", "register"]
