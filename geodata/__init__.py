"""Kota Tangerang's geography: gazetteer, boundaries and point location.

`geodata` is the one place that knows the map. Everything else asks it:
which kelurahan a point lies in, what a kecamatan is called, which polygons to draw.
"""
