"""Grounded chat: question understanding, the built-in engine, and the ``ask`` service."""
