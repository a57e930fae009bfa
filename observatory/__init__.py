"""Observatory: an open research platform for China's connected spaces of innovation."""

__version__ = "0.1.0"
