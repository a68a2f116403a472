"""Convert the tokens of the former single-token scheme (Django REST framework's ``authtoken``).

Each old key becomes an API token named "legacy", stored as a hash, with all its user's rights
and an expiry of 90 days after the upgrade (or ``CYBERPLAN_API_TOKEN_MAX_DAYS`` if shorter).
The old table, which kept the keys in clear, is then dropped, and the old app's migration
records are removed so the database stays consistent. Databases that never had the old table
are left as they are.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.conf import settings
from django.db import migrations
from django.utils import timezone

LEGACY_TABLE = "authtoken_token"
LEGACY_NAME = "legacy"
LEGACY_DAYS = 90


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
        if created is not None:
            APIToken.objects.filter(pk=token.pk).update(created_at=created)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {table}")
        cursor.execute("DELETE FROM django_migrations WHERE app = %s", ["authtoken"])
    return len(rows)


def forwards(apps: Any, schema_editor: Any) -> None:
    convert_legacy_tokens(apps, schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_api_tokens")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
