"""Secure messages between citizens and the places that serve them (issue 18)."""
