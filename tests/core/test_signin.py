"""Sign-in: the limit per address across user names, two-factor sign-in and its audit."""

from __future__ import annotations

from django.conf import settings
from django.test import Client

from cyberplan.core.choices import Role
from tests.conftest import PASSWORD, World


def sign_in(client: Client, username: str, password: str, address: str = "127.0.0.1"):  # type: ignore[no-untyped-def]
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_an_address_trying_many_user_names_is_locked(world: World) -> None:
    limit = settings.CYBERPLAN_LOGIN_ADDRESS_FAILURE_LIMIT
    assert limit > settings.CYBERPLAN_LOGIN_FAILURE_LIMIT
    attacker = Client()
    # One wrong password for each of many user names: no pair reaches its own limit.
    for number in range(limit - 1):
        assert sign_in(attacker, f"guess-{number}", "wrong-password", "198.51.100.7").status_code == 200
    # The failure that reaches the address's limit locks the address, whatever the user name.
    assert sign_in(attacker, "guess-last", "wrong-password", "198.51.100.7").status_code == 429
    response = sign_in(attacker, world.users[Role.ANALYST].username, PASSWORD, "198.51.100.7")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts from your address" in response.content.decode()
    assert "_auth_user_id" not in attacker.session
    # Another address is not affected.
    other = Client()
    assert sign_in(other, world.users[Role.ANALYST].username, PASSWORD, "198.51.100.8").status_code == 302
