"""Bringing data in and keeping it, in rooms by idea, on floors (pyproject.toml's import contract: a room imports
only from floors below its own).

api/ | runtime/    the doors (HTTP, Open311, sign-in, the command line) | the processes (supervisor, worker, channel)
documents/         what people file: the evidence pack, briefings, exports
services.py        the parts one process needs
live/              keeping dashboards current: bus, snapshot (reads, tally), versions in Redis, views, tickets
reports/ | indicators/   the domains, each with its rules and its SQL (reports/repository.py, indicators/series.py)
access/            who may do what: keys, people, screens, viewers, limits
store/ | settings.py     the ground floor: tables, connections, outbox, audit | the environment, declared once
i18n/, validation.py, spreadsheets.py, paths.py   words and formats, input checks, safe cells, the app's addresses
clock.py, refusal.py     the city's clock; what the domain says when it will not do something
"""
