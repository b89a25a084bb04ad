"""Citizen reports: the feed contract, routing (categories, OPDs, sources), the LAKSA lifecycle, SLA clocks,
intake and workflow, history import, the demo feed."""
