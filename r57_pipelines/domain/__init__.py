"""Pure-Python domain knowledge (identifiers, provinces, Vietnamese text): no I/O beyond reviewed data files."""
