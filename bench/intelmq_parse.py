"""The baseline of bench/bench_ingest.py: IntelMQ's Shadowserver parser bot on a Shadowserver CSV.

Runs inside IntelMQ's own virtual environment (``make bench-env`` creates
``.cache/bench/intelmq-venv`` with ``intelmq==3.5.0`` from PyPI), never in cyberplan's, and
imports nothing from cyberplan. ``bench_ingest.py`` starts it as a child process and polls its
peak memory; this script writes its own figures as JSON, its peak memory (VmHWM) included.

The bot runs in IntelMQ's library mode (docs.intelmq.org, "Running IntelMQ as Library"): it is
constructed with ``BotLibSettings`` (no log files, in-process Python list pipelines) and given one
report message whose ``raw`` is the base64 CSV, as IntelMQ's file collector would send it;
``process_message`` returns the queues, and the events are in ``output``.

Schema: the parser reads Shadowserver's report schema from ``shadowserver-schema.json`` in
IntelMQ's state directory (``VAR_STATE_PATH``), which IntelMQ normally downloads from
Shadowserver. Nothing is downloaded here: IntelMQ's package ships a test schema
(``intelmq/bots/parsers/shadowserver/schema.json.test``) with a ``test_telnet`` report whose
columns are those of Shadowserver's scan_telnet report, and this script copies it to the path
the parser reads. ``INTELMQ_ROOT_DIR`` points IntelMQ at a throw-away root, so nothing is written
under /opt/intelmq.

Usage (run by bench_ingest.py)::

    python intelmq_parse.py --csv FILE --rows N --root DIR --result OUT.json [--report test_telnet]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import sys
import time
from pathlib import Path


def vm_hwm() -> int:
    """This process's peak resident memory in bytes (VmHWM; ru_maxrss would include the parent's)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--csv", type=Path, required=True, help="Shadowserver-style CSV with a header line")
    parser.add_argument("--rows", type=int, default=0, help="feed only the first ROWS data lines (0: all)")
    parser.add_argument("--root", type=Path, required=True, help="throw-away INTELMQ_ROOT_DIR")
    parser.add_argument("--result", type=Path, required=True, help="where to write the figures (JSON)")
    parser.add_argument("--report", default="test_telnet", help="report (file_name) of the schema to parse with")
    args = parser.parse_args()

    # IntelMQ computes its paths when it is imported, from INTELMQ_ROOT_DIR.
    args.root.mkdir(parents=True, exist_ok=True)
    os.environ["INTELMQ_ROOT_DIR"] = str(args.root.resolve()) + "/"
    started = time.perf_counter()
    import intelmq
    import intelmq.bots.parsers.shadowserver._config as shadowserver_config
    from intelmq.bots.parsers.shadowserver.parser import ShadowserverParserBot
    from intelmq.lib.bot import BotLibSettings

    # Where the parser reads the schema: _config's module-level settings (schema_file, in
    # VAR_STATE_PATH). Put the schema IntelMQ ships there.
    settings = vars(shadowserver_config)["__config"]
    shipped = Path(shadowserver_config.__file__).with_name("schema.json.test")
    expected = Path(settings.schema_file)
    expected.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shipped, expected)
    schema = json.loads(shipped.read_text(encoding="utf-8"))
    feeds = {entry["file_name"]: entry["feed_name"] for name, entry in schema.items() if name != "_meta"}
    if args.report not in feeds:
        raise SystemExit(f"the shipped schema has no report {args.report!r}; it has {', '.join(sorted(feeds))}")

    # feedname fixes the schema entry (the synthetic file is named scan_telnet, the shipped entry
    # test_telnet). Per-row warnings about optional columns the file lacks (sic, banner) are not
    # printed, so that IntelMQ is not charged for writing them to a terminal.
    bot = ShadowserverParserBot(
        "bench-shadowserver-parser",
        settings=BotLibSettings | {"feedname": feeds[args.report], "logging_level": "ERROR"},
    )
    init_seconds = time.perf_counter() - started

    # Timed: reading the file, the collector's base64 step, and the parser bot on the report.
    begin = time.perf_counter()
    with args.csv.open("rb") as handle:
        header = handle.readline()
        lines = [header]
        for line in handle:
            lines.append(line)
            if args.rows and len(lines) > args.rows:
                break
    rows = len(lines) - 1
    report = {
        "__type": "Report",
        "feed.name": "Shadowserver",
        "feed.provider": "Shadowserver",
        "extra.file_name": args.csv.name,
        "time.observation": "2026-02-01T00:00:00+00:00",
        "raw": base64.b64encode(b"".join(lines)).decode("ascii"),
    }
    del lines
    queues = bot.process_message(report)
    seconds = time.perf_counter() - begin

    output = queues.get("output") or []
    errors = queues.get("error") or []
    sample = output[0].to_dict() if output else {}
    result = {
        "intelmq_version": intelmq.__version__,
        "python": sys.version.split()[0],
        "schema_shipped": str(shipped),
        "schema_read_from": str(expected),
        "report": args.report,
        "feed_name": feeds[args.report],
        "rows": rows,
        "events": len(output),
        "errors": len(errors),
        "init_seconds": init_seconds,
        "seconds": seconds,
        "vmhwm_bytes": vm_hwm(),
        "sample_fields": sorted(k for k in sample if k != "raw"),
    }
    args.result.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
