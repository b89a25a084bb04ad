"""Bringing data in and keeping it: schemas, the store, the live bus, feed adapters, the demo feed."""
