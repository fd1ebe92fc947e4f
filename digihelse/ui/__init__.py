"""The Reflex app: the route table, states, pages, components, and the tabs' lifetime."""
