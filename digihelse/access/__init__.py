"""Who may do what for whom: the actors, the representation policy, its enforcement and fullmakt."""
