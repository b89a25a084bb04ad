"""A Dash callback request's body checked whole before Dash reads it: a malformed one is a 400, never a 500.

Dash's callback endpoint trusts the renderer: it indexes the body's `output`, `inputs` and `state` by the callback's
own declaration, so a replayed body with a missing key, a list where a dict was expected, an unknown output or one
input too few raised inside Dash (11 of the fuzz's 13 5xx). Here the body must be an object naming a callback this
app has, with exactly its inputs, states and outputs, each `{"id", "property", "value"}` as the renderer sends them
(this product declares no pattern-matching callbacks: every id is a string). What the values hold is the callbacks'
own business (they check it). Also: a component-suite address with `..` in it is a 404 before Dash joins it to a
path (the fuzz's last 5xx).
"""

from __future__ import annotations

from typing import Annotated, Any

from dash import Dash
from flask import Flask, jsonify, request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
CALLBACK_SUFFIX = "/_dash-update-component"
SUITES = "/_dash-component-suites/"


class Prop(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: Name
    property: Name
    value: Any = None


class CallbackBody(BaseModel):
    model_config = ConfigDict(extra="allow")
    output: Annotated[str, StringConstraints(min_length=1, max_length=5000)]
    outputs: Prop | list[Prop]
    inputs: list[Prop] = Field(max_length=100)
    state: list[Prop] = Field(default_factory=list, max_length=100)
    changedPropIds: list[Annotated[str, StringConstraints(max_length=400)]] = Field(
        default_factory=list, max_length=100
    )


def _plain(output: str) -> str:
    return output.split("@", 1)[0]


def _refuse(reason: str):
    return jsonify({"error": {"field": "body", "reason": reason}}), 400


def problem(body: object, callbacks: dict) -> str | None:
    """What is wrong with a callback request's body for an app with these callbacks (Dash's callback_map), or None."""
    try:
        parsed = CallbackBody.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        return f"not a callback request: {'.'.join(str(p) for p in first['loc']) or 'body'}: {first['msg']}"
    declared = callbacks.get(parsed.output)
    if declared is None or "callback" not in declared:  # (a callback that runs in the browser has no server side)
        return "names no callback this server runs"
    if [(p.id, p.property) for p in parsed.inputs] != [(i["id"], i["property"]) for i in declared["inputs"]]:
        return "the inputs are not this callback's"
    if [(p.id, p.property) for p in parsed.state] != [(s["id"], s["property"]) for s in declared["state"]]:
        return "the states are not this callback's"
    outputs = parsed.outputs if isinstance(parsed.outputs, list) else [parsed.outputs]
    expected = parsed.output.strip(".").split("...") if parsed.output.startswith("..") else [parsed.output]
    # (an allow_duplicate output carries @<hash> after its property: in the callback's name, as the renderer sends it)
    if not declared.get("no_output") and [_plain(f"{o.id}.{o.property}") for o in outputs] != [
        _plain(e) for e in expected
    ]:
        return "the outputs are not this callback's"
    if isinstance(parsed.outputs, list) != parsed.output.startswith(".."):
        return "the outputs are not this callback's"
    return None


def install(server: Flask, apps: list[Dash]) -> None:
    """Check every callback request to any of `apps` (mounted on `server`) before Dash reads it."""
    by_prefix = sorted(((a.config.requests_pathname_prefix or "/", a) for a in apps), key=lambda pa: -len(pa[0]))

    @server.before_request
    def check_callback_body():
        path = request.path
        if SUITES in path and ".." in path:
            return jsonify({"error": {"field": "path", "reason": "no such file"}}), 404
        if request.method != "POST" or not path.endswith(CALLBACK_SUFFIX):
            return None
        app = next((a for prefix, a in by_prefix if path.startswith(prefix)), None)
        if app is None:
            return None
        body = request.get_json(silent=True)
        if body is None:
            return _refuse("not JSON")
        reason = problem(body, app.callback_map)
        return _refuse(reason) if reason else None
