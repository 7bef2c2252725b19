"""Exports: the facts in formats other tools read, one module per format.

Each module exposes `files(derived) -> dict[str, str]`, relative file name -> content, written
deterministically from the facts (the same facts give the same bytes).
"""
