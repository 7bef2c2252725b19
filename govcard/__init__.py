"""govcard: governance documentation for open AI projects, from one file of facts."""

__version__ = "0.1.0"
