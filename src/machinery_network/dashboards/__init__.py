"""Dashboards: each role's month and year in pictures (server-rendered SVG, each chart with its table
and a CSV), aggregated in PostgreSQL."""
