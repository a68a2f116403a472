"""Run the test identity provider: ``python -m tests.oidc_provider.serve PORT CONFIG_JSON``.

CONFIG_JSON holds the client (``client_id``, ``client_secret``, ``redirect_uri``) and the ``users``
(``username``, ``password``, ``email``). The database is created, filled, and served until the process
is stopped."""

import json
import os
import sys

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def main() -> None:
    port, config = int(sys.argv[1]), json.loads(sys.argv[2])
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    os.environ["PROVIDER_RSA_KEY"] = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"

    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.core.servers.basehttp import run
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0)
    for person in config["users"]:
        User.objects.create_user(person["username"], person["email"], person["password"])
    Application.objects.create(
        name="cyberplan",
        client_id=config["client_id"],
        client_secret=config["client_secret"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=config["redirect_uri"],
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    run("127.0.0.1", port, get_wsgi_application(), threading=True)


if __name__ == "__main__":
    main()
