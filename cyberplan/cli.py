"""The ``cyberplan`` command: Django's management commands plus the operator commands.

``cyberplan demo``, ``cyberplan migrate``, ``cyberplan db_worker`` ... all run here with the
project's settings; ``cyberplan help`` lists every command.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cyberplan.settings")
    from django.core.exceptions import ImproperlyConfigured

    try:
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018 -- load the settings now so a bad value stops here
    except ImproperlyConfigured as exc:
        # One clear sentence for the operator, not a traceback.
        print(f"cyberplan: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    from django.core.management import execute_from_command_line

    from cyberplan.core.channel import set_channel  # only once the settings are known to load

    set_channel("cli")
    execute_from_command_line(["cyberplan", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
