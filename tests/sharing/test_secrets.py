"""Partner passwords are kept encrypted: the stored value never holds the password, the configured key (or one
derived from SECRET_KEY) opens it, a rotated key list keeps old values readable until ``sharing reencrypt``
moves them to the new key, a value no key opens gives a clear status instead of a crash, the migration encrypts
the passwords stored in clear before it, and production settings check the new variable."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from pytest_django import Settings

from cyberplan.core.encryption import SecretUnreadableError, decrypt, encrypt
from cyberplan.sharing.choices import PullState
from cyberplan.sharing.client import do_pull
from cyberplan.sharing.models import Subscription
from cyberplan.threats.models import Import
from tests import dbutil
from tests.conftest import World
from tests.core.test_settings import GOOD_KEY, run_cli

dbutil.use_file_sqlite_test_database()

pytestmark = [pytest.mark.django_db(transaction=True)]

OLD = "old-secrets-key-0123456789-abcdefghijklmnop"
NEW = "new-secrets-key-9876543210-zyxwvutsrqponmlk"


def stored(subscription: Subscription) -> str:
    """The value in the database column, read past the model."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT password FROM sharing_subscription WHERE id = %s", [subscription.pk])
        row = cursor.fetchone()
    assert row is not None
    return str(row[0])


def make(world: World, password: str) -> Subscription:
    subscription = Subscription(
        organisation=world.org_a, name=f"s-{password}", api_root_url="https://x.example/api1/", collection_id="c"
    )
    subscription.keep_password(password)
    subscription.save()
    return subscription


def test_a_password_is_stored_encrypted_and_read_back(world: World, settings: Settings) -> None:
    settings.CYBERPLAN_SECRETS_KEYS = [NEW]
    subscription = make(world, "s3cret-partner-pw")
    raw = stored(subscription)
    assert "s3cret" not in raw and raw.startswith("gAAAA")  # a Fernet token
    assert Subscription.objects.get(pk=subscription.pk).partner_password() == "s3cret-partner-pw"
    assert encrypt("same") != encrypt("same")  # a fresh IV each time: equal passwords are not visible as such
    assert encrypt("") == "" and decrypt("") == ""


def test_without_a_dedicated_key_secret_key_and_its_fallbacks_are_used(world: World, settings: Settings) -> None:
    settings.CYBERPLAN_SECRETS_KEYS = []
    settings.SECRET_KEY = GOOD_KEY
    subscription = make(world, "pw-1")
    settings.SECRET_KEY = GOOD_KEY[::-1]
    with pytest.raises(SecretUnreadableError, match="CYBERPLAN_SECRETS_KEY"):
        subscription.partner_password()
    settings.SECRET_KEY_FALLBACKS = [GOOD_KEY]  # Django's way of rotating SECRET_KEY keeps it readable
    assert subscription.partner_password() == "pw-1"


def test_rotation_keeps_old_values_readable_then_reencrypt_moves_them(
    world: World, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.CYBERPLAN_SECRETS_KEYS = [OLD]
    subscription = make(world, "pw-rotated")
    before = stored(subscription)
    settings.CYBERPLAN_SECRETS_KEYS = [NEW, OLD]
    assert subscription.partner_password() == "pw-rotated"
    call_command("sharing", "reencrypt")
    assert "1 stored password(s) encrypted with the current key" in capsys.readouterr().out
    subscription.refresh_from_db()
    assert stored(subscription) != before
    settings.CYBERPLAN_SECRETS_KEYS = [NEW]  # the old key can now go
    assert subscription.partner_password() == "pw-rotated"
    settings.CYBERPLAN_SECRETS_KEYS = [OLD]
    with pytest.raises(SecretUnreadableError):
        subscription.partner_password()
    moved = stored(subscription)
    with pytest.raises(CommandError, match="1 password"):
        call_command("sharing", "reencrypt")  # OLD alone opens nothing now: said, and nothing changed
    assert stored(subscription) == moved


def test_a_password_no_key_opens_gives_a_clear_pull_status(world: World, settings: Settings) -> None:
    settings.CYBERPLAN_SECRETS_KEYS = [OLD]
    subscription = make(world, "pw-lost")
    settings.CYBERPLAN_SECRETS_KEYS = [NEW]
    outcome = do_pull(None, subscription)
    subscription.refresh_from_db()
    assert outcome.state == subscription.last_state == PullState.SECRET_UNREADABLE
    assert "CYBERPLAN_SECRETS_KEY" in subscription.last_error and not Import.objects.exists()


def test_the_migration_encrypts_passwords_stored_in_clear(world: World, settings: Settings) -> None:
    from django.db.migrations.executor import MigrationExecutor

    settings.CYBERPLAN_SECRETS_KEYS = [NEW]
    before, after = [("sharing", "0002_taxii_subscriptions")], [("sharing", "0003_push_and_encrypted_credentials")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("sharing", "Subscription")
    kept = old.objects.create(
        organisation_id=world.org_a.pk,
        name="old",
        api_root_url="https://x.example/",
        collection_id="c",
        password="clear-pw",
    )
    empty = old.objects.create(
        organisation_id=world.org_a.pk, name="none", api_root_url="https://x.example/", collection_id="c", password=""
    )
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    subscription = Subscription.objects.get(pk=kept.pk)
    assert stored(subscription) != "clear-pw" and subscription.partner_password() == "clear-pw"
    assert stored(Subscription.objects.get(pk=empty.pk)) == ""
    executor = MigrationExecutor(connection)
    executor.migrate(before)  # and back: the earlier schema reads the password in clear again
    assert old.objects.get(pk=kept.pk).password == "clear-pw"
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.slow
def test_production_checks_the_key_and_stays_deploy_clean(tmp_path: Path) -> None:
    production = {"CYBERPLAN_ENV": "production", "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "cyberplan.example.org"}
    result = run_cli(
        ["check", "--deploy", "--fail-level", "DEBUG"],
        {**production, "CYBERPLAN_SECRETS_KEY": f"{NEW},{OLD}"},
        tmp_path,
    )
    assert result.returncode == 0 and "no issues" in result.stdout, result.stderr + result.stdout
    result = run_cli(["check"], {**production, "CYBERPLAN_SECRETS_KEY": f"{NEW},short"}, tmp_path)
    assert result.returncode != 0
    assert "CYBERPLAN_SECRETS_KEY (separated by commas) must be a random value of at least 32" in result.stderr
