"""Convert the tokens of the former single-token scheme (Django REST framework's ``authtoken``).

Each old key becomes an API token named "legacy", stored as a hash, with all its user's rights
and an expiry of 90 days after the upgrade (or ``CYBERPLAN_API_TOKEN_MAX_DAYS`` if shorter).
The old table, which kept the keys in clear, is then dropped, and the old app's migration
records, record type and permissions are removed so the database stays consistent. Databases that never had the old table
are left as they are.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
from typing import Any

from django.conf import settings
from django.db import migrations, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

LEGACY_TABLE = "authtoken_token"
LEGACY_NAME = "legacy"
LEGACY_DAYS = 90


def _aware(value: Any) -> datetime.datetime | None:
    """A creation time as the database driver returned it (text on SQLite), made timezone-aware."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if isinstance(value, datetime.datetime) and timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value if isinstance(value, datetime.datetime) else None


def convert_legacy_tokens(apps: Any, connection: Any) -> int:
    """Move the rows of the old token table into API tokens; return how many were converted."""
    if LEGACY_TABLE not in connection.introspection.table_names():
        return 0
    APIToken = apps.get_model("core", "APIToken")
    expires_at = timezone.now() + datetime.timedelta(days=min(LEGACY_DAYS, settings.CYBERPLAN_API_TOKEN_MAX_DAYS))
    table = connection.ops.quote_name(LEGACY_TABLE)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name('key')}, created, user_id FROM {table}")  # noqa: S608
        rows = cursor.fetchall()
    for key, created, user_id in rows:
        key_hash = hashlib.sha256(key.encode("utf-8")).hexdigest()
        if APIToken.objects.filter(key_hash=key_hash).exists():
            continue
        token = APIToken.objects.create(
            user_id=user_id, name=LEGACY_NAME, prefix=key[:6], key_hash=key_hash, expires_at=expires_at
        )
        created_at = _aware(created)
        if created_at is not None:
            APIToken.objects.filter(pk=token.pk).update(created_at=created_at)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {table}")
        cursor.execute("DELETE FROM django_migrations WHERE app = %s", ["authtoken"])
    # The old record type and its permissions go too (kept if an audit entry still refers to it).
    ContentType = apps.get_model("contenttypes", "ContentType")
    with contextlib.suppress(ProtectedError), transaction.atomic():
        ContentType.objects.filter(app_label="authtoken").delete()
    return len(rows)


def forwards(apps: Any, schema_editor: Any) -> None:
    convert_legacy_tokens(apps, schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_api_tokens"), ("contenttypes", "0002_remove_content_type_name")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
