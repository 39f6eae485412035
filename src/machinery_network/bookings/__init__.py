"""Bookings of catalogue items, maintenance/own-use blocks and the occupancy that forbids overlaps."""
