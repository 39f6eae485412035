"""Care duties: road and path sections, assignments to farmers, reported and confirmed care work."""
