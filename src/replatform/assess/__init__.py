"""Assessment: read the inventory (and the sources it points at) and say what stops arm64."""
