"""mkdocs hook: the pages no one types. Before each build, performance.md is written from bench/results/*.json
(each figure with its command, machine and date) and feeds/openapi.md from the OpenAPI document the API serves."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime, timezone
from pathlib import Path

DOCS = Path(__file__).resolve().parent
PROJECT = DOCS.parent
RESULTS = PROJECT / "bench" / "results"
SKIP = {"machine", "command", "samples"}  # said in the heading, or too long to read as a table
MAX_ROWS = 60


def _measured_on(path: Path) -> str:
    """The date the result was committed (a result file is rewritten only by its bench run), else its mtime."""
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%cs", "--", str(path)], cwd=PROJECT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        out = ""
    return out or datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).date().isoformat()


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".")
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
        shown = ", ".join(_cell(v) for v in value[:8])
        return shown + (f", … ({len(value)} in all)" if len(value) > 8 else "")
    return str(value).replace("|", "\\|").replace("\n", " ")


def _rows(value, prefix: str = "") -> list[tuple[str, str]]:
    """A result flattened to (where, value) rows: nested objects by dotted path, lists of objects by index."""
    if isinstance(value, dict):
        out = []
        for key, inner in value.items():
            if not prefix and key in SKIP:
                continue
            out += _rows(inner, f"{prefix}.{key}" if prefix else str(key))
        return out
    if isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
        out = []
        for i, inner in enumerate(value):
            out += _rows(inner, f"{prefix}[{i}]")
        return out
    return [(prefix, _cell(value))]


def _slow_sockets() -> list[str]:
    """The web port and the live channel under slow sockets, side by side (from slow_clients.json and
    channel_sockets.json): the two doors a wall depends on."""
    web_path, live_path = RESULTS / "slow_clients.json", RESULTS / "channel_sockets.json"
    if not (web_path.exists() and live_path.exists()):
        return []
    web, live = json.loads(web_path.read_text()), json.loads(live_path.read_text())
    granian = web["configs"].get("granian", {})
    slow = granian.get(f"slow_{web['slow_sockets']}", {}).get("healthz", {})
    quiet = granian.get("quiet", {}).get("healthz", {})
    lines = [
        "## Slow sockets: the web port and the live channel",
        "",
        f"The web port with {_cell(web['slow_sockets'])} sockets trickling a body (`{web['command']}`), the live"
        f" channel with {_cell(live['attack_sockets'])} half-sent request heads from one address while"
        f" {_cell(live['walls'])} dashboards follow it (`{live['command']}`, guarded as shipped and unguarded in"
        " the same run).",
        "",
        "| door | under attack | a new request's p95 | failed | attack sockets still held |",
        "|---|---|---|---|---|",
        f"| web port (granian) | no | {_cell(quiet.get('p95_ms'))} ms | {_cell(quiet.get('timeouts'))} | - |",
        f"| web port (granian) | yes | {_cell(slow.get('p95_ms'))} ms | {_cell(slow.get('timeouts'))} | - |",
    ]
    for name, run in live["configs"].items():
        poll = run["new_dashboard_poll"]
        lines.append(
            f"| live channel, {name} | yes | {_cell(poll['p95_ms'])} ms | {_cell(poll['failures'])} |"
            f" {_cell(run['attack_still_held_at_end'])} of {_cell(run['attack_opened'])} |"
        )
    return [*lines, ""]


def performance_page() -> str:
    lines = [
        "# Performance",
        "",
        "Generated at each build from `bench/results/*.json`: each result as its bench script wrote it, with the",
        "command that measured it, the machine and the date it was recorded. Each bench measures its figure beside",
        "its baseline or limit in the same run (these 2-core machines are noisy: ratios hold, absolute times drift).",
        "Run them all with `make bench`. How the figures came about: [performance notes](performance-notes.md).",
        "",
    ]
    lines += _slow_sockets()
    for path in sorted(RESULTS.glob("*.json")):
        data = json.loads(path.read_text())
        lines += [f"## {path.stem}", ""]
        if isinstance(data, dict):
            if data.get("command"):
                lines.append(f"- command: `{data['command']}`")
            machine = data.get("machine")
            if isinstance(machine, dict):
                lines.append("- machine: " + ", ".join(f"{k} {_cell(v)}" for k, v in machine.items() if k != "when"))
            elif machine:
                lines.append(f"- machine: {_cell(machine)}")
        when = (
            data.get("machine", {}).get("when")
            if isinstance(data, dict) and isinstance(data.get("machine"), dict)
            else None
        )
        lines += [f"- measured: {(when or _measured_on(path))[:10]}, `bench/results/{path.name}`", ""]
        rows = _rows(data)
        lines += ["| figure | value |", "|---|---|"]
        lines += [f"| `{where}` | {value} |" for where, value in rows[:MAX_ROWS]]
        if len(rows) > MAX_ROWS:
            lines.append(f"| … | {len(rows) - MAX_ROWS} more in the file |")
        lines.append("")
    return "\n".join(lines)


def openapi_page() -> str:
    from data_feeds.api.openapi import document

    doc = document()
    lines = [
        "# The OpenAPI document",
        "",
        f"{doc['info']['title']} {doc['info']['version']}, served at `/api/v1/openapi.json`. Generated at each build",
        "from the document the API serves (its request schemas are the pydantic models that validate them).",
        "",
        "| method | path | what |",
        "|---|---|---|",
    ]
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if isinstance(op, dict) and "summary" in op:
                lines.append(f"| {method.upper()} | `{path}` | {_cell(op['summary'])} |")
    lines += ["", "The whole document:", "", "```json", json.dumps(doc, indent=2, ensure_ascii=False), "```", ""]
    return "\n".join(lines)


def configuration_page() -> str:
    from data_feeds.settings import PROJECT_DIR, Settings

    lines = [
        "# Configuration (environment)",
        "",
        "Generated at each build from the settings model (`data_feeds/settings.py`, pydantic-settings): each",
        "environment variable is declared there once, with its type, default and what it does. An empty variable is",
        "the same as none. `make run` needs none of them.",
        "",
        "| variable | type | default | what it does |",
        "|---|---|---|---|",
    ]
    for field in Settings.model_fields.values():
        kind = getattr(field.annotation, "__name__", None) or str(field.annotation).replace("typing.", "")
        default = field.default
        if isinstance(default, Path):
            default = "./" + str(default.relative_to(PROJECT_DIR))
        shown = (
            "empty"
            if default in ("", None)
            else f"`{'1' if default is True else '0' if default is False else default}`"
        )
        kind = "flag" if "bool" in str(field.annotation) else kind.replace(" | None", "")
        lines.append(f"| `{field.validation_alias}` | {kind} | {shown} | {_cell(field.description or '')} |")
    return "\n".join(lines) + "\n"


def on_pre_build(config, **kwargs) -> None:  # mkdocs' hook
    import sys

    sys.path.insert(0, str(PROJECT))
    (DOCS / "performance.md").write_text(performance_page())
    (DOCS / "feeds" / "openapi.md").write_text(openapi_page())
    (DOCS / "operations" / "configuration.md").write_text(configuration_page())
