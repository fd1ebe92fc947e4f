"""Links and forms that behave as the browser would: Reflex turns rx.el.a into a
client-side router link and makes every form prevent its default submit."""

import reflex as rx
from reflex_components_core.el.elements.forms import Form
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


class _NativeForm(Form):
    """A <form> the browser submits itself: Reflex's Form always prevents the default."""

    @classmethod
    def create(cls, *children, **props):
        props["handle_submit_unique_name"] = "native"
        return super(Form, cls).create(*children, **props)


def native_form(*children, action: str, method: str = "post", **props) -> rx.Component:
    """A form posted to an HTTP route (e.g. logout), with a real page load."""
    return _NativeForm.create(*children, action=action, method=method, **props)
