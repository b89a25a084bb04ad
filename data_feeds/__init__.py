"""Bringing data in and keeping it, in rooms by idea.

store.py       the durable store: reports, events, outbox, keys, indicator figures
validation.py  how input is checked and how a refusal names the field
reports/       citizen reports: contract, routing, lifecycle, SLA, intake, history import, demo feed
indicators/    vaccination and programme figures: config, series rules, panels, import, export
live/          keeping dashboards current: bus, snapshot, versions in Redis, the live worker
access/        who may do what: API keys and roles
api/           the doors: native HTTP API, Open311, /healthz, the command line
runtime/       running it: settings, services, supervisor, embedded Redis
"""
