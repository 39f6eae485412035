"""Catalogue: the machines and services municipalities offer at cost price."""
