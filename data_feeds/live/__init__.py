"""Keeping every dashboard current: the outbox relay and Redis bus, the snapshot computed once per change, its versions
in Redis, the live worker.
"""
