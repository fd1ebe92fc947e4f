"""Texts for the personnel pages (nurses, midwives, GPs), nb, nn and en."""

TEXTS: dict[str, dict[str, str]] = {}
