"""``python -m tests.jobs.worker_main db_worker ...``: the project's command line, with the test job kinds."""

from __future__ import annotations

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cyberplan.settings")
    import django

    django.setup()
    import tests.jobs.kinds  # noqa: F401 -- registers the test kinds
    from cyberplan.cli import main

    main(sys.argv[1:])
