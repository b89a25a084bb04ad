"""Keeping every dashboard current: the outbox relay and Redis bus, the snapshot computed once per change (its reads and
its pure tally), its versions in Redis, each audience's view, the live ticket."""
