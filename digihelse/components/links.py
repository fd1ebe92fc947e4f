"""Three kinds of link, because Reflex turns rx.el.a into a client-side router link."""

import reflex as rx
from reflex_components_core.el.elements.inline import A


def page_link(*children, href: str, **props) -> rx.Component:
    """A link to another Reflex page: client-side navigation, no reload."""
    return rx.el.a(*children, href=href, **props)


def document_link(*children, href: str, **props) -> rx.Component:
    """A link to an HTTP route (login, logout, files): a real page load, so cookies apply."""
    return rx.el.a(*children, href=href, reload_document=True, **props)


def anchor_link(*children, href: str, **props) -> rx.Component:
    """A plain <a>, for in-page anchors such as the skip link."""
    return A.create(*children, href=href, **props)
