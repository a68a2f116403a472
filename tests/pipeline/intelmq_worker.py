"""IntelMQ's Shadowserver parser, as a worker for the differential test (test_intelmq_differential.py).

Runs inside IntelMQ's own virtual environment (``make bench-env`` makes ``.cache/bench/intelmq-venv``
with ``intelmq==3.5.0``), never in cyberplan's, and imports nothing from cyberplan. Like
``bench/intelmq_parse.py`` it runs the parser bot in IntelMQ's library mode, on one report message
per request, with a schema file given on the command line (IntelMQ's shipped test schema unless the
caller has a fuller one); nothing is downloaded.

Protocol: one JSON request a line on standard input, ``{"feed_name": ..., "csv": PATH}``; one JSON
answer a line on standard output, ``{"events": [event as a dict, without raw], "errors": N}``.

Usage::

    python intelmq_worker.py --schema SCHEMA.json --root DIR
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--schema", type=Path, required=True, help="Shadowserver report schema (JSON)")
    parser.add_argument("--root", type=Path, required=True, help="throw-away INTELMQ_ROOT_DIR")
    args = parser.parse_args()
    args.root.mkdir(parents=True, exist_ok=True)
    os.environ["INTELMQ_ROOT_DIR"] = str(args.root.resolve()) + "/"
    import intelmq.bots.parsers.shadowserver._config as shadowserver_config  # type: ignore[import-not-found]
    from intelmq.bots.parsers.shadowserver.parser import ShadowserverParserBot  # type: ignore[import-not-found]
    from intelmq.lib.bot import BotLibSettings  # type: ignore[import-not-found]

    settings = vars(shadowserver_config)["__config"]
    expected = Path(settings.schema_file)
    expected.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(args.schema, expected)
    bots: dict[str, Any] = {}
    for line in sys.stdin:
        request = json.loads(line)
        feed_name = request["feed_name"]
        if feed_name not in bots:
            bots[feed_name] = ShadowserverParserBot(
                f"differential-{len(bots)}",
                settings=BotLibSettings | {"feedname": feed_name, "logging_level": "CRITICAL"},
            )
        report = {
            "__type": "Report",
            "feed.name": "Shadowserver",
            "time.observation": "2026-02-01T00:00:00+00:00",
            "raw": base64.b64encode(Path(request["csv"]).read_bytes()).decode("ascii"),
        }
        queues = bots[feed_name].process_message(report)
        events = [{k: v for k, v in message.to_dict().items() if k != "raw"} for message in queues.get("output") or []]
        answer = {"events": events, "errors": len(queues.get("error") or [])}
        sys.stdout.write(json.dumps(answer, default=str) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
