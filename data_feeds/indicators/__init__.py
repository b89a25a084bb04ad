"""Figures beside the complaints (vaccination, programmes, the city's apps): which exist, series rules,
panels, import, seed figures, demo breakdowns."""
