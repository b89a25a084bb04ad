"""Documents people file: the assessors' evidence pack, the morning briefing, the report and indicator exports, and
what they are built from (complaint handling, charts, PDF helpers)."""
