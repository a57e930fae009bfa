"""The inventory: actors of the ecosystem, their names, places, lifecycles, ties and sources."""
