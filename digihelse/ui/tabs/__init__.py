"""How long the server keeps a tab, and how many tabs one address may open."""
