"""Documents people file: the assessors' evidence pack (evidence_pack.py) and what they are built from."""
