"""Importers, one module per format, all on the interface of :mod:`.base`."""

from __future__ import annotations

from .base import Importer, ImportOptions, Source, UnknownFormatError

_REGISTRY: dict[str, type[Importer]] = {}


def register(cls: type[Importer]) -> type[Importer]:
    _REGISTRY[cls.format] = cls
    return cls


# Modules in the order format detection tries them (most specific first). The JSON importers
# (STIX, MISP, VERIS) pull in validators that take a second or more to import, so a module is
# only imported when it is needed: detection stops at the first importer that recognises the file.
DETECTION_ORDER = ("shadowserver", "stix", "misp", "veris")
MODULES = {"shadowserver": "shadowserver", "csv": "csvmap", "stix": "stix", "misp": "misp", "veris": "veris"}


def formats() -> list[str]:
    _load_all()
    return sorted(_REGISTRY)


def get(name: str) -> Importer:
    if name not in _REGISTRY and name in MODULES:
        _load(MODULES[name])
    if name not in _REGISTRY:
        _load_all()
    try:
        return _REGISTRY[name]()
    except KeyError:
        raise UnknownFormatError(f"unknown format {name!r}; known formats: {', '.join(sorted(_REGISTRY))}") from None


def detect(source: Source) -> Importer:
    """The importer that recognises the file, tried in a fixed order (most specific first)."""
    head = source.head()
    for name in DETECTION_ORDER:
        if name not in _REGISTRY:
            _load(MODULES[name])
        if name in _REGISTRY and _REGISTRY[name].detect(source, head):
            return _REGISTRY[name]()
    raise UnknownFormatError(
        f"{source.name}: the format was not recognised (looked for a Shadowserver report, a STIX 2.1 bundle, "
        "a MISP event and a VERIS incident); give --format, or --format csv with a saved column mapping"
    )


def _load(module: str) -> None:
    """Import one importer module (which registers its importer); an optional one may be absent."""
    try:
        __import__(f"{__name__}.{module}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{module}":
            raise


def _load_all() -> None:
    for module in MODULES.values():
        _load(module)


__all__ = ["ImportOptions", "Importer", "Source", "UnknownFormatError", "detect", "formats", "get", "register"]
