"""Pure presenters for the pages: plain Python, no Reflex, unit-tested."""
