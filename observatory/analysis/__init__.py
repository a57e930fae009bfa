"""Analysis engine: network, territory, typology and timeline; algorithms are pure functions."""
