"""A count with two buttons, and a second page to navigate to: nothing more."""

import reflex as rx


class CounterState(rx.State):
    count: int = 0

    @rx.event
    def increment(self):
        self.count += 1

    @rx.event
    def decrement(self):
        self.count -= 1


def index() -> rx.Component:
    return rx.el.main(
        rx.el.h1(CounterState.count),
        rx.el.button("−", on_click=CounterState.decrement),
        rx.el.button("+", on_click=CounterState.increment),
        rx.el.a("Other page", href="/other"),
    )


def other() -> rx.Component:
    return rx.el.main(rx.el.p("Another page"), rx.el.a("Back", href="/"))


app = rx.App()
app.add_page(index, route="/")
app.add_page(other, route="/other")
