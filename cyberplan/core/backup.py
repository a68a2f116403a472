"""Backups of a whole installation in one tar file, their check and their restore.

A backup holds every part of the installation's state::

    database/cyberplan.sqlite3     the SQLite database (online backup API), or
    database/cyberplan.pgdump      the PostgreSQL database (pg_dump, custom format)
    media/...                      uploaded evidence, the original file of every import, job output
    events/org-<id>/...            each organisation's event store (committed imports only) and its
                                   trend tables (the parts the watermark lists)
    manifest.json                  every file's size and SHA-256, the project version, the database
                                   engine, the migrations applied, the rows per table and the events
                                   per organisation
    manifest.sha256                the SHA-256 of manifest.json, so a damaged manifest is noticed too

A consistent cut while the server runs
--------------------------------------

Imports write an organisation's events, quarantine and commit markers only while they hold the
store's lock (``<store>/.lock``), and a trend table refresh writes only while it holds the trend
tables' lock (``<store>/trends/.lock``); no writer holds both. The backup takes every one of these
locks, then copies the database, then the event stores and trend tables, and only then releases
the locks. While it holds them no event file, marker or trend table changes, so the files are
exactly what they were at the instant the database copy was taken (the SQLite backup API and
pg_dump's snapshot each read one consistent state). The backup is therefore the installation as
it was at that instant: an import that commits after it is entirely absent, and one that committed
its events just before it but had not yet recorded its outcome is restored as a crash would leave
it (its events are there, its record still says it is running). Imports wait for the lock meanwhile;
they are not refused.

Uploaded files are copied after the database: a file is written before the record that names it,
so every file the database copy names already exists. Files that appeared later are kept too
(harmless); a file the database names but that is gone (deleted between the two copies, or
missing on the live server) is reported by name, never silently dropped.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import IO, Any, BinaryIO

from django.apps import apps
from django.conf import settings
from django.db import connection, connections, models, transaction
from django.utils.translation import gettext as _

from cyberplan.analytics.trend_tables import TrendTables
from cyberplan.pipeline.store import EventStore

FORMAT = 1
MANIFEST = "manifest.json"
MANIFEST_DIGEST = "manifest.sha256"
SQLITE_MEMBER = "database/cyberplan.sqlite3"
POSTGRES_MEMBER = "database/cyberplan.pgdump"
CHUNK = 1024 * 1024
#: how often the backup starts again when an organisation's first import creates a new store meanwhile
ATTEMPTS = 3

Say = Callable[[str], None]


class BackupError(Exception):
    """The backup, its check or its restore cannot go on; the message is for the operator."""


def _quiet(message: str) -> None:
    """The default for ``say``: print nothing."""


# -- what is in the data directory ---------------------------------------------------------------


def _events_root() -> Path:
    return Path(settings.CYBERPLAN_EVENTS_DIR)


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _stores() -> list[Path]:
    root = _events_root()
    if not root.is_dir():
        return []
    return sorted(path for path in root.iterdir() if path.is_dir() and path.name.startswith("org-"))


@dataclass
class StoreContent:
    """What a backup keeps of one organisation's store: the files a reader can see."""

    files: list[Path]
    events: int
    imports: int
    left_out: int  # files of unfinished imports and replaced trend tables


def store_content(root: Path) -> StoreContent:
    """The committed part of the event store at ``root`` and its current trend tables.

    Call it while holding the store's and the trend tables' locks, or on a store nobody writes to.
    """
    import pyarrow.parquet as pq

    store = EventStore(root)
    committed = sorted(store.committed_imports())
    events = store.files()
    files = [store.commits_dir / f"{import_id}.json" for import_id in committed]
    files += events
    # The address index of each committed event file, where written (a restored store searches with it).
    files += [index for path in events if (index := store.index_file(path)).is_file()]
    files += [path for import_id in committed if (path := store.quarantine_file(import_id)).is_file()]
    trends = root / "trends"
    watermark = trends / "watermark.json"
    if watermark.is_file():
        files.append(watermark)
        data = json.loads(watermark.read_text(encoding="utf-8"))
        listed = list(data.get("parts") or {}) + ([data["counts"]] if data.get("counts") else [])
        for name in sorted(listed):
            files += sorted(path for path in (trends / name).rglob("*") if path.is_file())
    kept = set(files)
    others = [path for path in root.rglob("*") if path.is_file() and path.name != ".lock" and path not in kept]
    count = sum(pq.read_metadata(path).num_rows for path in events)
    return StoreContent(files=files, events=count, imports=len(committed), left_out=len(others))


def _file_fields() -> list[tuple[str, str]]:
    """(table, column) of every file field: the files the database names."""
    found = []
    for model in apps.get_models():
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, models.FileField) and model_field.column:
                found.append((model._meta.db_table, model_field.column))
    return found


# -- the database --------------------------------------------------------------------------------


@dataclass
class DatabaseCopy:
    engine: str
    member: str
    file: Path
    tables: dict[str, int]
    migrations: dict[str, list[str]]
    named_files: set[str] = field(default_factory=set)  # file field values (media paths)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _state(execute: Callable[[str], list[tuple[Any, ...]]], tables: Iterable[str]) -> DatabaseCopy:
    """Rows per table, migrations applied and the files named, read through ``execute``."""
    names = sorted(tables)
    # Table and column names come from the database's own catalogue and the models, quoted.
    counts = {name: int(execute(f"SELECT count(*) FROM {_quote(name)}")[0][0]) for name in names}  # noqa: S608
    migrations: dict[str, list[str]] = {}
    if "django_migrations" in counts:
        for app, name in execute("SELECT app, name FROM django_migrations ORDER BY app, name"):
            migrations.setdefault(str(app), []).append(str(name))
    named: set[str] = set()
    for table, column in _file_fields():
        if table in counts:
            query = f"SELECT {_quote(column)} FROM {_quote(table)} WHERE {_quote(column)} <> ''"  # noqa: S608
            named.update(str(row[0]) for row in execute(query) if row[0])
    return DatabaseCopy("", "", Path(), counts, migrations, named)


def _sqlite_tables(con: sqlite3.Connection) -> list[str]:
    rows = con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite!_%' ESCAPE '!'")
    return [str(row[0]) for row in rows]


def _copy_sqlite(workdir: Path) -> DatabaseCopy:
    target = workdir / "cyberplan.sqlite3"
    destination = sqlite3.connect(target)
    try:
        if _in_memory():
            connection.ensure_connection()
            connection.connection.backup(destination)
        else:
            name = Path(connection.settings_dict["NAME"])
            if not name.is_file():
                raise BackupError(
                    _("The database file %(name)s does not exist: there is nothing to back up yet.") % {"name": name}
                )
            source = sqlite3.connect(name, timeout=20)
            try:
                # One step: the whole database is read within one read transaction.
                source.backup(destination)
            finally:
                source.close()
        copy = _state(lambda sql: destination.execute(sql).fetchall(), _sqlite_tables(destination))
    finally:
        destination.close()
    copy.engine, copy.member, copy.file = "sqlite", SQLITE_MEMBER, target
    return copy


def _postgres_environment() -> dict[str, str]:
    """The environment pg_dump and pg_restore need to reach the configured database."""
    settings_dict = connection.settings_dict
    _args, extra = connection.client.settings_to_cmd_args_env(settings_dict, [])
    env = {**os.environ, **(extra or {})}
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("NAME", "PGDATABASE")):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    return env


def _postgres_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            _(
                "%(tool)s is not installed, and a PostgreSQL database cannot be backed up or restored without it: "
                "install Debian's postgresql-client package (of the server's major version or newer)."
            )
            % {"tool": name}
        )
    return path


def _run(command: list[str], tool: str) -> None:
    result = subprocess.run(command, env=_postgres_environment(), capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
        raise BackupError(_("%(tool)s failed: %(message)s") % {"tool": tool, "message": " ".join(lines[-3:])})


def _copy_postgres(workdir: Path) -> DatabaseCopy:
    pg_dump = _postgres_tool("pg_dump")
    target = workdir / "cyberplan.pgdump"
    if connection.in_atomic_block:
        raise BackupError(_("A PostgreSQL backup cannot run inside a database transaction."))
    with transaction.atomic(), connection.cursor() as cursor:
        # The counts and the dump read the same snapshot: pg_dump adopts the one this transaction exports.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        _run(
            [pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}", f"--file={target}"],
            "pg_dump",
        )

        def execute(sql: str) -> list[tuple[Any, ...]]:
            cursor.execute(sql)
            return list(cursor.fetchall())

        copy = _state(execute, connection.introspection.table_names(cursor))
    copy.engine, copy.member, copy.file = "postgresql", POSTGRES_MEMBER, target
    return copy


def _copy_database(workdir: Path) -> DatabaseCopy:
    if connection.vendor == "sqlite":
        return _copy_sqlite(workdir)
    if connection.vendor == "postgresql":
        return _copy_postgres(workdir)
    raise BackupError(_("Backups support SQLite and PostgreSQL, not %(vendor)s.") % {"vendor": connection.vendor})


# -- writing the archive ---------------------------------------------------------------------------


class _Hashing(io.RawIOBase):
    """Read a file and compute its SHA-256 on the way (tarfile reads exactly the size it was given)."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


class _Archive:
    def __init__(self, tar: tarfile.TarFile) -> None:
        self.tar = tar
        self.files: dict[str, dict[str, Any]] = {}

    def add(self, path: Path, name: str) -> None:
        with path.open("rb") as handle:
            info = tarfile.TarInfo(name)
            info.size = os.fstat(handle.fileno()).st_size
            info.mtime = int(os.fstat(handle.fileno()).st_mtime)
            info.mode = 0o600
            reader = _Hashing(handle)
            try:
                self.tar.addfile(info, reader)
            except OSError as exc:
                raise BackupError(
                    _("%(name)s changed size while it was copied; run the backup again.") % {"name": name}
                ) from exc
        self.files[name] = {"size": info.size, "sha256": reader.digest.hexdigest()}

    def add_bytes(self, name: str, data: bytes) -> None:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
        info.mode = 0o600
        self.tar.addfile(info, io.BytesIO(data))


def project_version() -> str:
    try:
        return metadata.version("cyberplan")
    except metadata.PackageNotFoundError:
        return "unknown"


def _lock_every_store(stack: contextlib.ExitStack) -> list[Path]:
    roots = _stores()
    for root in roots:  # always in the same order, so two backups cannot wait for each other
        store = EventStore(root)
        stack.enter_context(store.lock())
        stack.enter_context(TrendTables(store).lock())
    return roots


def create_backup(path: Path, say: Say = _quiet) -> dict[str, Any]:
    """Write a backup of the installation to the new file ``path`` and return its manifest."""
    path = Path(path)
    if path.exists():
        raise BackupError(_("%(path)s already exists; a backup never replaces a file.") % {"path": path})
    if not path.parent.is_dir():
        raise BackupError(_("The folder %(folder)s does not exist.") % {"folder": path.parent})
    folder = path.parent.resolve()
    for part in (_media_root(), _events_root()):
        if folder.is_relative_to(part.resolve()):
            raise BackupError(_("Write the backup outside the folder it backs up (%(folder)s).") % {"folder": part})
    partial = path.with_name(path.name + ".partial")
    workdir = Path(tempfile.mkdtemp(prefix=".cyberplan-backup-", dir=path.parent))
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
                manifest = _write(_Archive(tar), workdir, say)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
        shutil.rmtree(workdir, ignore_errors=True)
    return manifest


def _write(archive: _Archive, workdir: Path, say: Say) -> dict[str, Any]:
    warnings: list[str] = []
    stores: dict[str, dict[str, int]] = {}
    started = time.monotonic()
    with contextlib.ExitStack() as locks:
        for _attempt in range(ATTEMPTS):
            roots = _lock_every_store(locks)
            say(_("Copying the database (%(count)d event stores locked)") % {"count": len(roots)})
            database = _copy_database(workdir)
            if _stores() == roots:
                break
            # An organisation's first import made a store after the locks were taken: start again.
            locks.close()
        else:
            raise BackupError(_("New event stores kept appearing during the backup; run it again."))
        archive.add(database.file, database.member)
        database.file.unlink()
        for root in roots:
            content = store_content(root)
            for file in content.files:
                archive.add(file, f"events/{root.name}/{file.relative_to(root).as_posix()}")
            stores[root.name] = {"events": content.events, "imports": content.imports, "files": len(content.files)}
            if content.left_out:
                warnings.append(
                    _(
                        "%(store)s: %(count)d files of unfinished imports or replaced trend tables were left out "
                        "(nothing reads them)."
                    )
                    % {"store": root.name, "count": content.left_out}
                )
            say(_("%(store)s: %(events)d events") % {"store": root.name, "events": content.events})
    # The locks are released: imports go on while the uploaded files are copied.
    say(_("Event stores unlocked after %(seconds).1f s") % {"seconds": time.monotonic() - started})
    events_root = _events_root()
    if events_root.is_dir():
        for other in sorted(events_root.iterdir()):
            if not other.name.startswith("org-") or not other.is_dir():
                warnings.append(
                    _("%(name)s in the event folder is not an event store and was left out.") % {"name": other.name}
                )
    media = _media_root()
    media_files = 0
    if media.is_dir():
        for file in sorted(media.rglob("*")):
            relative = file.relative_to(media).as_posix()
            if file.is_symlink() or not file.is_file():
                if not file.is_dir():
                    warnings.append(_("media/%(name)s is not a regular file and was left out.") % {"name": relative})
                continue
            archive.add(file, f"media/{relative}")
            media_files += 1
    say(_("Uploaded files: %(count)d") % {"count": media_files})
    missing = sorted(name for name in database.named_files if f"media/{name}" not in archive.files)
    for name in missing:
        warnings.append(_("media/%(name)s is named by the database but does not exist.") % {"name": name})
    manifest = {
        "format": FORMAT,
        "project": "cyberplan",
        "version": project_version(),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": {
            "engine": database.engine,
            "file": database.member,
            "tables": database.tables,
            "migrations": database.migrations,
        },
        "events": stores,
        "files": archive.files,
        "warnings": warnings,
    }
    data = json.dumps(manifest, indent=1, sort_keys=True).encode("utf-8")
    archive.add_bytes(MANIFEST, data)
    archive.add_bytes(MANIFEST_DIGEST, hashlib.sha256(data).hexdigest().encode("ascii") + b"\n")
    return manifest


# -- checking an archive -----------------------------------------------------------------------------


def _safe_member(name: str) -> bool:
    """A relative path inside the backup, under one of its parts."""
    pure = PurePosixPath(name)
    if pure.is_absolute() or "\\" in name or any(part in {"", ".", ".."} for part in name.split("/")):
        return False
    if name in {MANIFEST, MANIFEST_DIGEST, SQLITE_MEMBER, POSTGRES_MEMBER}:
        return True
    return len(pure.parts) > 1 and pure.parts[0] in {"media", "events"}


def _digest(handle: IO[bytes]) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def verify_backup(path: Path) -> dict[str, Any]:
    """Check every file of the backup against its manifest; return the manifest, or raise
    :class:`BackupError` naming each damaged, missing or unexpected file.

    Long: over 80 lines because the tar is read once, in one pass, collecting every problem on the way.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(_("%(path)s does not exist or is not a file.") % {"path": path})
    problems: list[str] = []
    found: dict[str, tuple[int, str]] = {}
    manifest_data: bytes | None = None
    digest_data: bytes | None = None
    last = ""
    try:
        with tarfile.open(path, mode="r:") as tar:
            for member in tar:
                name = member.name
                if not member.isfile() or not _safe_member(name):
                    problems.append(_("%(name)s: not a file this backup format holds.") % {"name": name})
                    continue
                if name in found or (name == MANIFEST and manifest_data is not None):
                    problems.append(_("%(name)s: stored twice.") % {"name": name})
                    continue
                handle = tar.extractfile(member)
                assert handle is not None  # noqa: S101 -- a regular file has content
                if name == MANIFEST:
                    manifest_data = handle.read()
                elif name == MANIFEST_DIGEST:
                    digest_data = handle.read()
                else:
                    found[name] = _digest(handle)
                last = name
    except (tarfile.TarError, EOFError, OSError):
        place = _("after %(name)s") % {"name": last} if last else _("at its start")
        raise BackupError(
            _("%(backup)s is damaged or cut short %(place)s: it is not a complete backup.")
            % {"backup": path.name, "place": place}
        ) from None
    if manifest_data is None:
        raise BackupError(
            _("%(backup)s has no %(manifest)s: it is not a complete backup.")
            % {"backup": path.name, "manifest": MANIFEST}
        )
    if (
        digest_data is None
        or digest_data.decode("ascii", "replace").strip() != hashlib.sha256(manifest_data).hexdigest()
    ):
        raise BackupError(
            _("%(manifest)s: its checksum does not match; the manifest is damaged.") % {"manifest": MANIFEST}
        )
    try:
        manifest: dict[str, Any] = json.loads(manifest_data)
        listed: dict[str, dict[str, Any]] = manifest["files"]
        backup_format = int(manifest["format"])
    except (ValueError, KeyError, TypeError):
        raise BackupError(_("%(manifest)s cannot be read.") % {"manifest": MANIFEST}) from None
    if backup_format > FORMAT:
        raise BackupError(
            _("The backup was written by a newer cyberplan (format %(format)d); this version reads format %(ours)d.")
            % {"format": backup_format, "ours": FORMAT}
        )
    for name, expected in sorted(listed.items()):
        if name not in found:
            problems.append(_("%(name)s: listed in the manifest but missing from the backup.") % {"name": name})
        elif found[name] != (expected.get("size"), expected.get("sha256")):
            problems.append(
                _("%(name)s: its checksum does not match the manifest; the file is damaged.") % {"name": name}
            )
    for name in sorted(set(found) - set(listed)):
        problems.append(_("%(name)s: in the backup but not listed in the manifest.") % {"name": name})
    database = manifest.get("database") or {}
    expected_member = {"sqlite": SQLITE_MEMBER, "postgresql": POSTGRES_MEMBER}.get(str(database.get("engine")))
    if expected_member is None or database.get("file") != expected_member or expected_member not in listed:
        problems.append(_("The manifest names no database file."))
    for store in manifest.get("events") or {}:
        if not re.fullmatch(r"org-[A-Za-z0-9_-]+", str(store)):
            problems.append(_("%(store)s: not the name of an event store.") % {"store": store})
    if problems:
        shown = problems[:20]
        more = len(problems) - len(shown)
        text = "\n  ".join(shown) + (("\n  " + _("and %(count)d more") % {"count": more}) if more else "")
        raise BackupError(_("%(backup)s is refused:\n  %(problems)s") % {"backup": path.name, "problems": text})
    return manifest


# -- restoring ---------------------------------------------------------------------------------------


def _in_memory() -> bool:
    """Whether the configured SQLite database lives in memory (the test suite's default)."""
    return bool(getattr(connection, "is_in_memory_db")())  # noqa: B009 -- SQLite's connection only


def _sqlite_path() -> Path:
    if _in_memory():
        raise BackupError(_("The configured SQLite database is in memory; a restore needs a database file."))
    return Path(connection.settings_dict["NAME"])


def _database_tables() -> list[str]:
    """The tables of the configured database (none when the SQLite file does not exist yet)."""
    if connection.vendor == "sqlite":
        database = _sqlite_path()
        if not database.is_file():
            return []
        con = sqlite3.connect(database)
        try:
            return _sqlite_tables(con)
        finally:
            con.close()
    with connection.cursor() as cursor:
        return list(connection.introspection.table_names(cursor))


def _has_files(folder: Path) -> bool:
    return folder.is_dir() and any(path.is_file() for path in folder.rglob("*"))


def _current_counts() -> dict[str, int]:
    tables = _database_tables()
    with connection.cursor() as cursor:

        def execute(sql: str) -> list[tuple[Any, ...]]:
            cursor.execute(sql)
            return list(cursor.fetchall())

        return _state(execute, tables).tables


def _known_migrations() -> set[tuple[str, str]]:
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    return set(loader.disk_migrations)


def _extract(path: Path, manifest: dict[str, Any], targets: dict[str, Path], database_file: Path) -> None:
    """Write every file of the backup into the staging folders, checking each checksum again."""
    listed = manifest["files"]
    with tarfile.open(path, mode="r:") as tar:
        for member in tar:
            name = member.name
            if name in {MANIFEST, MANIFEST_DIGEST}:
                continue
            part, _slash, rest = name.partition("/")
            destination = database_file if name == manifest["database"]["file"] else targets[part] / rest
            destination.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(member)
            assert source is not None  # noqa: S101 -- verified: a regular file
            digest = hashlib.sha256()
            with destination.open("wb") as handle:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    handle.write(chunk)
            if digest.hexdigest() != listed[name]["sha256"]:
                raise BackupError(
                    _("%(name)s changed while it was restored; the backup file is being modified.") % {"name": name}
                )


def _restore_sqlite(database_file: Path) -> None:
    target = _sqlite_path()
    connections.close_all()
    target.parent.mkdir(parents=True, exist_ok=True)
    incoming = target.with_name(f".{target.name}.restore-{uuid.uuid4().hex}")
    shutil.move(database_file, incoming)
    # The old database's journal files must not be applied to the restored one.
    for suffix in ("-wal", "-shm", "-journal"):
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    os.replace(incoming, target)


def _restore_postgres(database_file: Path) -> None:
    pg_restore = _postgres_tool("pg_restore")
    name = str(connection.settings_dict["NAME"])
    connections.close_all()
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={name}",
            str(database_file),
        ],
        "pg_restore",
    )


def restore_backup(path: Path, *, force: bool = False, say: Say = _quiet) -> dict[str, Any]:
    """Restore the backup ``path`` into the configured database and data directory.

    Every checksum is checked first; the target must be empty unless ``force``, which replaces it.
    Returns what was checked: the rows per table, the events per organisation and the files.
    """
    from django.core.management import call_command
    from django.db.migrations.executor import MigrationExecutor

    path = Path(path)
    manifest = verify_backup(path)
    say(_("Checked %(count)d files against the manifest.") % {"count": len(manifest["files"])})
    engine = manifest["database"]["engine"]
    if engine != connection.vendor:
        raise BackupError(
            _("The backup holds a %(engine)s database, but the configured database is %(vendor)s.")
            % {"engine": engine, "vendor": connection.vendor}
        )
    applied = {(app, name) for app, names in manifest["database"]["migrations"].items() for name in names}
    unknown = sorted(applied - _known_migrations())
    if unknown:
        raise BackupError(
            _("The backup was made by a newer version of cyberplan: migration %(name)s is unknown here. Upgrade first.")
            % {"name": f"{unknown[0][0]}.{unknown[0][1]}"}
        )
    media, events = _media_root(), _events_root()
    occupied = []
    tables = _database_tables()
    if tables:
        occupied.append(_("the database has %(count)d tables") % {"count": len(tables)})
    if _has_files(media):
        occupied.append(_("the media folder holds files"))
    if _has_files(events):
        occupied.append(_("the event folder holds files"))
    if occupied and not force:
        raise BackupError(
            _(
                "Nothing was restored, because %(what)s. Restore into an empty database and data directory, or add --force to replace them."
            )
            % {"what": "; ".join(occupied)}
        )
    staging = {
        "media": media.with_name(f".{media.name}.restore-{uuid.uuid4().hex}"),
        "events": events.with_name(f".{events.name}.restore-{uuid.uuid4().hex}"),
    }
    database_file = Path(settings.DATA_DIR) / f".database.restore-{uuid.uuid4().hex}"
    try:
        for folder in staging.values():
            folder.mkdir(parents=True)
        _extract(path, manifest, staging, database_file)
        say(_("Restoring the database"))
        if engine == "sqlite":
            _restore_sqlite(database_file)
        else:
            _restore_postgres(database_file)
        for part, target in (("media", media), ("events", events)):
            if target.exists():
                shutil.rmtree(target)
            os.replace(staging[part], target)
    finally:
        database_file.unlink(missing_ok=True)
        for folder in staging.values():
            shutil.rmtree(folder, ignore_errors=True)
    report = check_restored(manifest)
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        say(_("The backup is older than this version: applying %(count)d migrations.") % {"count": len(plan)})
        call_command("migrate", interactive=False, verbosity=0)
    report["migrated"] = len(plan)
    return report


def check_restored(manifest: dict[str, Any]) -> dict[str, Any]:
    """Compare the configured database and data directory with the manifest; raise on any difference."""
    counts = _current_counts()
    expected: dict[str, int] = manifest["database"]["tables"]
    problems = [
        _("table %(table)s: %(found)s rows, the backup had %(expected)s")
        % {"table": table, "found": counts.get(table, "no"), "expected": expected.get(table, "no")}
        for table in sorted(set(counts) | set(expected))
        if counts.get(table) != expected.get(table)
    ]
    events: dict[str, int] = {}
    for name, figures in sorted(manifest["events"].items()):
        content = store_content(_events_root() / name)
        events[name] = content.events
        if content.events != figures["events"]:
            problems.append(
                _("%(store)s: %(found)d events, the backup had %(expected)d")
                % {"store": name, "found": content.events, "expected": figures["events"]}
            )
    if problems:
        raise BackupError(
            _("The restored installation differs from the backup:\n  %(problems)s")
            % {"problems": "\n  ".join(problems)}
        )
    return {"tables": counts, "events": events, "files": len(manifest["files"])}
