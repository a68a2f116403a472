"""Run every benchmark in bench/ (files named bench_*.py) and print their ratios.

Each benchmark measures cyberplan's way against a baseline run in the same process, on data it
makes itself in a throw-away data directory, and prints the ratio.

``CYBERPLAN_BENCH_ONLY`` runs some of them: names without ``.py``, separated by commas (for example
``CYBERPLAN_BENCH_ONLY=bench_trends make bench``).
"""

from __future__ import annotations

import os
import runpy
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="cyberplan-bench-") as data_dir:
        os.environ["CYBERPLAN_DATA_DIR"] = data_dir
        os.environ.setdefault("CYBERPLAN_ENV", "test")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cyberplan.settings")
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        only = {name.strip() for name in os.environ.get("CYBERPLAN_BENCH_ONLY", "").split(",") if name.strip()}
        for path in sorted(HERE.glob("bench_*.py")):
            if only and path.stem not in only:
                continue
            print(f"== {path.stem}", flush=True)
            runpy.run_path(str(path), run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
