"""Costing: the cost price of an item by the KTBL method, and how a rate was reached."""
