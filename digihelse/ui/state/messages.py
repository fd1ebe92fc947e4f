"""State for secure messages: her list of conversations, the new-message form, a
conversation (live), and the nurse's inbox and conversation (live). Thin: each handler
calls digihelse.messages.service in a thread and keeps only display rows for the page on
screen; message text lives here only while its conversation is open."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from dataclasses import dataclass

import reflex as rx

from digihelse.core.db import get_engine
from digihelse.core.errors import ServiceError
from digihelse.core.i18n import t
from digihelse.core.i18n.families import keyed
from digihelse.core.i18n.formatting import clock, weekday_day_month
from digihelse.core.settings import get_settings
from digihelse.core.timeutil import to_oslo, today_oslo
from digihelse.messages import preferences, service
from digihelse.messages.models import MAX_BODY
from digihelse.ui import routes
from digihelse.ui.state import messages_live
from digihelse.ui.state.guard import CITIZEN, PERSONNEL, audience
from digihelse.ui.state.session import SessionState


def when(at: dt.datetime, lang: str) -> str:
    """"i dag 10.15", "i går 14.02", or "tirsdag 25. november 09.30"."""
    local = to_oslo(at)
    days = (today_oslo() - local.date()).days
    if days == 0:
        day = t("msg.today", lang)
    elif days == 1:
        day = t("msg.yesterday", lang)
    else:
        day = weekday_day_month(local.date(), lang)
    return f"{day} {clock(at)}"


def category_text(category: str | None, lang: str) -> str:
    return t(keyed("msg.category", category), lang) if category else t("msg.no_category", lang)


def answer_time(reply_days: int, school_days: bool, lang: str) -> str:
    key = "msg.answer_school_days" if school_days else "msg.answer_working_days"
    return t(key, lang, days=reply_days)


def on_page(router, path: str) -> bool:
    """Whether the tab shows this page now (the event carries the tab's current URL)."""
    return router.url.path.rstrip("/") == path


def conversation_id(router) -> int:
    raw = router.url.query_parameters.get("id", "")
    return int(raw) if raw.isdigit() else 0


@dataclass
class ListRow:
    id: int
    href: str
    place: str
    topic: str
    when: str
    unread: bool
    closed: bool
    info: bool
    label: str  # the link's accessible name: "Ny melding: Fjordvik ungdomsskole, Følelser"


@dataclass
class Choice:
    value: str
    label: str


@dataclass
class Line:
    id: int
    mine: bool
    who: str
    when: str
    body: str
    suggests_booking: bool


def _lines(view: service.ConversationView, lang: str) -> list[Line]:
    out = []
    for m in view.messages:
        body = m.body
        if m.author_kind == "auto":
            who = t("msg.auto_who", lang)
            body = t("msg.auto_reply", lang, day=weekday_day_month(m.back_on, lang)) \
                if m.back_on else ""
        else:
            who = t("msg.you", lang) if m.mine else m.author_name
        out.append(Line(m.id, m.mine, who, when(m.at, lang), body, m.suggests_booking))
    return out


# --- Her list --------------------------------------------------------------------------

@audience(CITIZEN)
class MessagesState(SessionState):
    rows: list[ListRow] = []
    may_write: bool = False
    error: str = ""
    loaded: bool = False

    @rx.event
    async def load(self):
        session = await self.get_state(SessionState)
        self.loaded, self.error = False, ""
        if not session.logged_in:
            return
        actor, lang = session._actor(), session.lang
        try:
            lines, where = await asyncio.to_thread(
                lambda: (service.conversations(get_engine(), actor),
                         service.recipients(get_engine(), actor)))
        except ServiceError as exc:
            self.rows, self.error = [], t(exc.message_key, lang)
        else:
            self.rows = [self._row(line, lang) for line in lines]
            self.may_write = bool(where)
        self.loaded = True

    @staticmethod
    def _row(line: service.ConversationLine, lang: str) -> ListRow:
        topic = t("msg.info", lang) if line.kind == "info" else category_text(line.category,
                                                                              lang)
        state = t("msg.unread", lang) if line.unread else ""
        label = ", ".join(x for x in (state, line.place_name, topic) if x)
        return ListRow(line.id, f"{routes.CONVERSATION}?id={line.id}", line.place_name,
                       topic, when(line.last_message_at, lang), line.unread,
                       line.status == "closed", line.kind == "info", label)


# --- The new message ---------------------------------------------------------------------

@audience(CITIZEN)
class NewMessageState(SessionState):
    places: list[Choice] = []
    place: str = ""
    categories: list[Choice] = []
    category: str = ""
    text: str = ""
    readers: str = ""
    answer: str = ""
    error: str = ""
    busy: bool = False
    loaded: bool = False
    _where: dict[str, list] = {}  # recipient key -> [readers line, answer line, categories]

    @rx.event
    async def load(self):
        session = await self.get_state(SessionState)
        self.loaded, self.error, self.text, self.category = False, "", "", ""
        if not session.logged_in:
            return
        actor, lang = session._actor(), session.lang
        found = await asyncio.to_thread(lambda: service.recipients(get_engine(), actor))
        self.places = [Choice(r.key, r.place_name if not r.carer_name else
                              t("msg.to_midwife", lang, name=r.carer_name, place=r.place_name))
                       for r in found]
        self._where = {r.key: [
            t(keyed("msg.readers", r.service), lang, place=r.place_name, carer=r.carer_name),
            answer_time(r.reply_days, r.school_days, lang),
            [[c, t(keyed("msg.category", c), lang)] for c in r.categories]] for r in found}
        wanted = self.router.url.query_parameters.get("til", "")
        if wanted in ("pregnancy", "youth", "basic"):  # the first place of that service
            wanted = next((r.key for r in found if r.service == wanted), "")
        self._choose(wanted if wanted in self._where else (found[0].key if found else ""))
        if self.place.startswith("pregnancy:") and wanted:
            self.category = "card"
        self.loaded = True

    def _choose(self, key: str) -> None:
        self.place = key
        readers, answer, categories = self._where.get(key, ["", "", []])
        self.readers, self.answer = readers, answer
        self.categories = [Choice(value, label) for value, label in categories]
        if self.category not in {c.value for c in self.categories}:
            self.category = ""

    @rx.event
    def choose_place(self, key: str):
        if key in self._where:
            self._choose(key)

    @rx.event
    def choose_category(self, value: str):
        self.category = "" if value == self.category or value not in {
            c.value for c in self.categories} else value

    @rx.event
    def set_text(self, value: str):
        self.text = value[:MAX_BODY + 100]

    @rx.event
    async def send(self, form: dict | None = None):
        if self.busy:
            return
        session = await self.get_state(SessionState)
        text = str((form or {}).get("text", self.text))
        self.busy, self.error = True, ""
        yield
        try:
            actor = session._actor()
            new_id = await asyncio.to_thread(
                lambda: service.start(get_engine(), actor, recipient=self.place, body=text,
                                      category=self.category or None))
        except ServiceError as exc:
            self.error = t(exc.message_key, session.lang)
            self.text = text
        else:
            self.text = ""
            yield rx.redirect(f"{routes.CONVERSATION}?id={new_id}&ny=1")
        finally:
            self.busy = False


# --- A conversation, hers or the nurse's ----------------------------------------------

class _Conversation(rx.State, mixin=True):
    """What her page and the nurse's share: the conversation's vars and the events that
    are the same on both (a Reflex mixin: each state gets its own copy of them)."""

    lines: list[Line] = []
    place: str = ""
    topic: str = ""
    answer: str = ""
    status_text: str = ""
    may_reply: bool = False
    may_close: bool = False
    closed: bool = False
    info: bool = False
    reply_text: str = ""
    message: str = ""
    error: str = ""
    busy: bool = False
    loaded: bool = False
    confirm_close: bool = False
    form_key: int = 0  # a new key re-creates the reply form (empty, or a template's text)
    _id: int = 0

    def _route(self) -> str:
        raise NotImplementedError

    async def _fill(self, session: SessionState) -> None:
        raise NotImplementedError

    @rx.event
    def set_reply_text(self, value: str):
        self.reply_text = value[:MAX_BODY + 100]

    @rx.event
    def ask_close(self):
        self.confirm_close = True

    @rx.event
    def keep_open(self):
        self.confirm_close = False

    @rx.event
    async def close(self):
        self.confirm_close = False
        await self._do(lambda actor: service.close(get_engine(), actor, self._id),
                       "msg.was_closed")

    @rx.event
    async def live_refresh(self):
        """Asked by the server when this conversation changed on any worker. Only while
        the tab still shows it: reading it marks it read and is logged as a read."""
        session = await self.get_state(SessionState)
        if not on_page(self.router, self._route()):
            messages_live.unwatch(self.router.session.client_token)
        elif self.loaded and self._id and session.logged_in:
            await self._fill(session)

    async def _view(self, session: SessionState) -> service.ConversationView | None:
        actor = session._actor()
        try:
            view = await asyncio.to_thread(
                lambda: service.open_conversation(get_engine(), actor, self._id))
        except ServiceError as exc:
            self.lines, self.may_reply, self.may_close = [], False, False
            self.error = t(exc.message_key, session.lang)
            return None
        lang = session.lang
        self.place, self.info = view.place_name, view.kind == "info"
        self.topic = t("msg.info", lang) if self.info else category_text(view.category, lang)
        self.answer = answer_time(view.reply_days, view.school_days, lang)
        self.closed = view.status == "closed"
        self.status_text = t("msg.closed", lang) if self.closed else ""
        self.may_reply, self.may_close = view.may_reply, view.may_close
        self.lines = _lines(view, lang)
        messages_live.watch(self.router.session.client_token, "c", view.id,
                            type(self).live_refresh)
        return view

    async def _do(self, call, done_key: str = ""):
        session = await self.get_state(SessionState)
        self.message, self.error = "", ""
        try:
            actor = session._actor()
            await asyncio.to_thread(lambda: call(actor))
        except ServiceError as exc:
            self.error = t(exc.message_key, session.lang)
            return False
        if done_key:
            self.message = t(done_key, session.lang)
        await self._fill(session)
        return True


@audience(CITIZEN)
class ConversationState(_Conversation, SessionState):
    may_share: bool = False
    shared: bool = False
    book_href: str = ""
    just_sent: bool = False

    @rx.event
    async def load(self):
        session = await self.get_state(SessionState)
        self.loaded, self.error, self.message, self.reply_text = False, "", "", ""
        self.confirm_close = False
        if not session.logged_in:
            return
        self._id = conversation_id(self.router)
        self.just_sent = self.router.url.query_parameters.get("ny") == "1"
        await self._fill(session)
        self.loaded = True

    async def _fill(self, session: SessionState) -> None:
        view = await self._view(session)
        if view is None:
            return
        self.may_share, self.shared = view.may_share, view.shared_with_proxy
        self.book_href = f"{routes.BOOK}?sted={view.book_place_id}" if view.book_place_id \
            else ""

    def _route(self) -> str:
        return routes.CONVERSATION

    @rx.event
    async def send_reply(self, form: dict | None = None):
        if self.busy:
            return
        text = str((form or {}).get("reply", self.reply_text))
        self.busy, self.just_sent = True, False
        yield
        try:
            done = await self._do(lambda actor: service.reply(get_engine(), actor, self._id,
                                                              text))
            self.reply_text = "" if done else text
            if done:
                self.form_key += 1
        finally:
            self.busy = False

    @rx.event
    async def toggle_share(self):
        shared = not self.shared
        await self._do(lambda actor: service.share_with_proxy(get_engine(), actor, self._id,
                                                              shared),
                       "msg.shared" if shared else "msg.unshared")


# --- The nurse's inbox ------------------------------------------------------------------

@dataclass
class InboxRow:
    id: int
    href: str
    name: str
    detail: str  # "14 år, Fjordvik ungdomsskole, 9B"
    topic: str
    waiting: str  # "Venter i 1 virkedag (svar innen 2 skoledager)"
    overdue: bool
    state: str  # "Ubesvart", "Besvart", "Behandlet", "Lukket"
    unanswered: bool
    assigned: str
    when: str
    bookings_label: str  # "Timene til Ida Berg"


@audience(PERSONNEL)
class InboxState(SessionState):
    places: list[Choice] = []
    place: str = ""
    rows: list[InboxRow] = []
    answer: str = ""
    groups: list[str] = []
    group: str = ""
    broadcast_text: str = ""
    templates: list[Choice] = []
    template_title: str = ""
    template_body: str = ""
    message: str = ""
    error: str = ""
    loaded: bool = False
    busy: bool = False

    @rx.event
    async def load(self):
        session = await self.get_state(SessionState)
        self.loaded, self.message, self.error = False, "", ""
        if not (session.logged_in and session._may_open("inbox")):
            return
        wanted = self.router.url.query_parameters.get("sted", "")
        await self._refresh(session, int(wanted) if wanted.isdigit() else None)
        self.loaded = True

    async def _refresh(self, session: SessionState, place_id: int | None) -> None:
        actor, lang = session._actor(), session.lang

        def read():
            box = service.inbox(get_engine(), actor, place_id)
            extra = ([], [])
            if box.place_id:
                extra = (service.groups(get_engine(), actor, box.place_id),
                         service.templates(get_engine(), actor, box.place_id))
            return box, extra

        try:
            box, (groups, templates) = await asyncio.to_thread(read)
        except ServiceError as exc:
            self.rows, self.error = [], t(exc.message_key, lang)
            return
        self.places = [Choice(str(pid), name) for pid, name in box.places]
        self.place = str(box.place_id) if box.place_id else ""
        self.answer = answer_time(box.reply_days, box.school_days, lang)
        self.rows = [self._row(line, box, lang) for line in box.lines]
        self.groups = groups
        if self.group not in groups:
            self.group = groups[0] if groups else ""
        self.templates = [Choice(str(x.id), x.title) for x in templates]
        if box.place_id:
            messages_live.watch(self.router.session.client_token, "p", box.place_id,
                                InboxState.live_refresh)

    @staticmethod
    def _row(line: service.InboxLine, box: service.Inbox, lang: str) -> InboxRow:
        detail = ", ".join(x for x in (t("day.pupil.age", lang, age=line.age)
                                       if line.age is not None else "",
                                       line.school, line.school_class) if x)
        if line.waiting_since is not None:
            state = t("inbox.unanswered", lang)
            promise = answer_time(box.reply_days, box.school_days, lang)
            waiting = t("inbox.waited", lang, days=line.waited_days, answer=promise) \
                if line.waited_days else t("inbox.waited_today", lang, answer=promise)
        else:
            state = t("msg.closed", lang) if line.status == "closed" else (
                t("inbox.handled", lang) if line.handled else t("inbox.answered", lang))
            waiting = ""
        return InboxRow(line.id, f"{routes.INBOX_CONVERSATION}?id={line.id}", line.person_name,
                        detail, category_text(line.category, lang), waiting, line.overdue,
                        state, line.waiting_since is not None,
                        t("inbox.assigned", lang, name=line.assigned_name)
                        if line.assigned_name else "",
                        when(line.last_message_at, lang),
                        t("inbox.bookings_of", lang, name=line.person_name))

    @rx.event
    async def choose_place(self, value: str):
        session = await self.get_state(SessionState)
        if value.isdigit():
            await self._refresh(session, int(value))

    @rx.event
    async def live_refresh(self):
        session = await self.get_state(SessionState)
        if not on_page(self.router, routes.INBOX):
            messages_live.unwatch(self.router.session.client_token)
        elif self.loaded and self.place and session.logged_in and session.is_personnel:
            await self._refresh(session, int(self.place))

    @rx.event
    def set_group(self, value: str):
        if value in self.groups:
            self.group = value

    async def _act(self, call, done_key: str, **values) -> bool:
        session = await self.get_state(SessionState)
        self.message, self.error = "", ""
        try:
            actor = session._actor()
            result = await asyncio.to_thread(lambda: call(actor))
        except ServiceError as exc:
            self.error = t(exc.message_key, session.lang)
            return False
        self.message = t(done_key, session.lang, **values,
                         **({"count": result} if isinstance(result, int) else {}))
        await self._refresh(session, int(self.place) if self.place else None)
        return True

    @rx.event
    async def send_broadcast(self, form: dict):
        if self.busy or not self.place:
            return
        self.busy = True
        yield
        text, group, place = str(form.get("broadcast", "")), self.group, int(self.place)
        try:
            if await self._act(lambda a: service.send_broadcast(get_engine(), a, place, group,
                                                                text),
                               "inbox.broadcast_sent", group=group):
                self.broadcast_text = ""
            else:
                self.broadcast_text = text
        finally:
            self.busy = False

    @rx.event
    async def add_template(self, form: dict):
        if not self.place:
            return
        title, body, place = str(form.get("title", "")), str(form.get("body", "")), \
            int(self.place)
        await self._act(lambda a: service.add_template(get_engine(), a, place, title, body),
                        "inbox.template_added")

    @rx.event
    async def remove_template(self, value: str):
        if value.isdigit():
            await self._act(lambda a: service.remove_template(get_engine(), a, int(value)),
                            "inbox.template_removed")


@dataclass
class BookingRow:
    when: str
    status: str
    href: str  # her day view on that day


@audience(PERSONNEL)
class StaffConversationState(_Conversation, SessionState):
    person: str = ""
    detail: str = ""
    handled: bool = False
    journal: str = ""  # "Dokumentert i journalen av …", or ""
    assigned: str = ""
    colleagues: list[Choice] = []
    templates: list[Choice] = []
    bookings: list[BookingRow] = []
    back_href: str = routes.INBOX
    _templates: dict[str, str] = {}

    @rx.event
    async def load(self):
        session = await self.get_state(SessionState)
        self.loaded, self.error, self.message, self.reply_text = False, "", "", ""
        self.confirm_close = False
        if not (session.logged_in and session._may_open("inbox")):
            return
        self._id = conversation_id(self.router)
        await self._fill(session)
        self.loaded = True

    async def _fill(self, session: SessionState) -> None:
        view = await self._view(session)
        if view is None:
            return
        lang, actor = session.lang, session._actor()
        self.person = view.person_name
        self.detail = ", ".join(x for x in (
            t("day.pupil.age", lang, age=view.person_age) if view.person_age is not None
            else "", view.school, view.school_class) if x)
        self.handled = view.handled
        self.journal = t("inbox.journal_by", lang, name=view.journal_by) if view.journal else ""
        self.assigned = t("inbox.assigned", lang, name=view.assigned_name) \
            if view.assigned_name else ""
        self.bookings = [BookingRow(when(b.start_at, lang), t(keyed("status", b.status), lang),
                                    f"{routes.PERSONNEL_HOME}?dag="
                                    f"{to_oslo(b.start_at).date().isoformat()}")
                         for b in view.bookings]
        self.back_href = f"{routes.INBOX}?sted={view.place_id}"
        try:
            mates, kept = await asyncio.to_thread(lambda: (
                service.colleagues(get_engine(), actor, view.id),
                service.templates(get_engine(), actor, view.place_id)))
        except ServiceError:
            mates, kept = [], []
        self.colleagues = [Choice(str(c.personnel_id), c.name) for c in mates]
        self.templates = [Choice(str(x.id), x.title) for x in kept]
        self._templates = {str(x.id): x.body for x in kept}

    @rx.event
    def use_template(self, value: str):
        if value in self._templates:
            self.reply_text, self.form_key = self._templates[value], self.form_key + 1

    def _route(self) -> str:
        return routes.INBOX_CONVERSATION

    @rx.event
    async def send_reply(self, form: dict | None = None):
        if self.busy:
            return
        text = str((form or {}).get("reply", self.reply_text))
        suggest = bool((form or {}).get("suggest"))
        self.busy = True
        yield
        try:
            done = await self._do(lambda actor: service.reply(
                get_engine(), actor, self._id, text, suggests_booking=suggest), "inbox.sent")
            self.reply_text = "" if done else text
            if done:
                self.form_key += 1
        finally:
            self.busy = False

    @rx.event
    async def mark_handled(self):
        await self._do(lambda a: service.mark_handled(get_engine(), a, self._id),
                       "inbox.marked_handled")

    @rx.event
    async def mark_journal(self):
        await self._do(lambda a: service.mark_journal(get_engine(), a, self._id),
                       "inbox.marked_journal")

    @rx.event
    async def hand_over(self, form: dict):
        value = str(form.get("colleague", ""))
        if value.isdigit():
            await self._do(lambda a: service.hand_over(get_engine(), a, self._id, int(value)),
                           "inbox.handed_over")


# --- How she hears of new messages ---------------------------------------------------

PUSH_TEXTS = {"unsupported": "notify.push.unsupported", "unavailable": "notify.push.unavailable",
              "denied": "notify.push.denied", "done": "notify.push.done",
              "failed": "notify.push.failed"}


@audience(CITIZEN)
class NotifySettingsState(SessionState):
    sms: bool = True
    email_on: bool = False
    email: str = ""
    push_on: bool = False
    push_devices: int = 0
    push_available: bool = False
    push_texts: str = "{}"  # the script's words, in her language
    form_key: int = 0
    message: str = ""
    error: str = ""
    loaded: bool = False

    @rx.event
    async def load(self):
        session = await self.get_state(SessionState)
        self.loaded, self.message, self.error = False, "", ""
        if not session.logged_in:
            return
        await self._refresh(session)
        lang = session.lang
        self.push_available = bool(get_settings().vapid_public_key)
        self.push_texts = json.dumps({name: t(key, lang) for name, key in PUSH_TEXTS.items()},
                                     ensure_ascii=False)
        self.loaded = True

    async def _refresh(self, session: SessionState) -> None:
        actor = session._actor()
        pref = await asyncio.to_thread(lambda: preferences.preference_of(get_engine(), actor))
        self.sms, self.email_on, self.email = pref.sms, pref.email_on, pref.email
        self.push_on, self.push_devices = pref.push_on, pref.push_devices
        self.form_key += 1

    @rx.event
    async def save(self, form: dict):
        session = await self.get_state(SessionState)
        self.message, self.error = "", ""
        actor = session._actor()
        values = {"sms": bool(form.get("sms")), "email_on": bool(form.get("email_on")),
                  "email": str(form.get("email", "")), "push_on": bool(form.get("push_on"))}
        try:
            await asyncio.to_thread(
                lambda: preferences.save_preference(get_engine(), actor, **values))
        except ServiceError as exc:
            self.error = t(exc.message_key, session.lang)
            return
        self.message = t("notify.saved", session.lang)
        await self._refresh(session)

    @rx.event
    async def forget_devices(self):
        session = await self.get_state(SessionState)
        actor = session._actor()
        await asyncio.to_thread(lambda: preferences.remove_push_subscriptions(get_engine(),
                                                                              actor))
        self.message = t("notify.devices_removed", session.lang)
        await self._refresh(session)
