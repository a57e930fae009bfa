"""The research codebook and the coding of entities with evidence."""
