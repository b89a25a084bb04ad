"""The doors data comes in and goes out by: the native HTTP API (native.py), Open311 (open311.py), sign-in and the
admin page, /healthz (health.py), refusals as HTTP (refusals.py), installed on a web app by web.py; and the command
line (cli.py, cli_access.py)."""
