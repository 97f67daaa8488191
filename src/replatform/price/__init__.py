"""Prices: a dated snapshot, the x86 -> Graviton mapping, the cost model and Spot suitability."""
