"""Texts for the pregnancy health card, nb, nn and en."""

TEXTS: dict[str, dict[str, str]] = {}
