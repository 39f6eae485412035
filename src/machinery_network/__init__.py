"""machinery-network: an inter-municipal machinery and care network (Maschinen- und Pflegenetzwerk)."""

__version__ = "0.1.0"
