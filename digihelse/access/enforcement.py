"""Enforcing digihelse.access.policy against the registry, and logging each access and refusal.

Synchronous SQLModel (callers run it in a worker thread); no UI imports."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import NoReturn, TypeVar

from sqlalchemy import event, or_
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, select

from digihelse.access import policy
from digihelse.access.actors import AccessDenied, Action, Actor, Service
from digihelse.audit import codes
from digihelse.audit import log as audit_log
from digihelse.audit.models import AccessLog
from digihelse.core import db
from digihelse.core.i18n.families import keyed
from digihelse.core.settings import get_settings
from digihelse.core.timeutil import today_oslo, utcnow
from digihelse.healthcard.models import PregnancyRecord
from digihelse.people.kinds import PlaceKind
from digihelse.people.models import (
    Enrollment,
    Fullmakt,
    ParentChild,
    Person,
    Personnel,
    Place,
    StaffAssignment,
)
from digihelse.people.nin import InvalidNin, age_on, parse_nin
from digihelse.people.registry import children_of, person_by_pid

logger = logging.getLogger(__name__)
T = TypeVar("T")


def thresholds() -> policy.Thresholds:
    return policy.Thresholds.from_settings(get_settings())


# --- Loading the facts --------------------------------------------------------------------

def _person_facts(person: Person) -> policy.PersonFacts:
    return policy.PersonFacts(person.nin, person.birth_date, person.address_key,
                              str(person.address_protection))


def _facts_from_nin(pid: str) -> policy.PersonFacts | None:
    # A citizen who logs in but is not (yet) in our registry still has an age: the birth
    # date is in the number itself (DOMAIN.md, national identity numbers).
    try:
        return policy.PersonFacts(pid, parse_nin(pid).birth_date)
    except InvalidNin:
        return None


def _responsible_parent_at_address(s: Session, child: Person) -> bool:
    if not child.address_key:
        return False
    found = s.exec(
        select(Person.id).join(ParentChild, ParentChild.parent_id == Person.id)
        .where(ParentChild.child_id == child.id, ParentChild.parental_responsibility,
               Person.address_key == child.address_key)
        .limit(1)
    ).first()
    return found is not None


def _parent_relations(s: Session, me: Person, subject: Person) -> list[policy.Relation]:
    link = s.exec(select(ParentChild).where(ParentChild.parent_id == me.id,
                                            ParentChild.child_id == subject.id)).first()
    if link is None:
        return []
    return [policy.ParentRelation(link.parental_responsibility,
                                  _responsible_parent_at_address(s, subject))]


def _services(scope: Iterable[str]) -> frozenset[Service]:
    known = {service.value for service in Service}
    return frozenset(Service(part.strip()) for part in scope if part.strip() in known)


def _fullmakt_relations(s: Session, me: Person, subject: Person) -> list[policy.Relation]:
    rows = s.exec(select(Fullmakt).where(Fullmakt.giver_id == subject.id,
                                         Fullmakt.receiver_id == me.id)).all()
    return [policy.FullmaktRelation(_services(row.services), row.valid_from, row.valid_to,
                                    revoked=row.revoked_at is not None) for row in rows]


def _care_bases(s: Session, staff: Personnel, subject: Person,
                wanted: frozenset[policy.CareBasis]) -> frozenset[policy.CareBasis]:
    care: set[policy.CareBasis] = set()
    places = set(s.exec(select(StaffAssignment.place_id)
                        .where(StaffAssignment.personnel_id == staff.id)).all())
    if policy.CareBasis.SCHOOL in wanted and places:
        schools = set(s.exec(select(Enrollment.place_id)
                             .where(Enrollment.person_id == subject.id)).all())
        if places & schools:
            care.add(policy.CareBasis.SCHOOL)
    if policy.CareBasis.YOUTH_CLINIC in wanted and places:
        clinic = s.exec(select(Place.id).where(Place.id.in_(places),
                                               Place.kind == PlaceKind.YOUTH_CLINIC)).first()
        if clinic is not None:
            care.add(policy.CareBasis.YOUTH_CLINIC)
    if policy.CareBasis.HEALTH_STATION in wanted and places and subject.municipality_id:
        station = s.exec(select(Place.id).where(
            Place.id.in_(places), Place.kind == PlaceKind.HEALTH_STATION,
            Place.municipality_id == subject.municipality_id)).first()
        if station is not None:
            care.add(policy.CareBasis.HEALTH_STATION)
    if policy.CareBasis.PREGNANCY_CARER in wanted:
        record = s.exec(select(PregnancyRecord.id).where(
            PregnancyRecord.woman_id == subject.id, PregnancyRecord.active,
            or_(PregnancyRecord.midwife_id == staff.id, PregnancyRecord.gp_id == staff.id),
        )).first()
        if record is not None:
            care.add(policy.CareBasis.PREGNANCY_CARER)
    return frozenset(care)


def _personnel_relation(s: Session, actor: Actor, me: Person, subject: Person,
                        service: Service) -> policy.Relation:
    staff = s.exec(select(Personnel).where(Personnel.person_id == me.id)).first()
    if staff is None:
        return policy.PersonnelRelation(actor.role)
    # Only the care relations some row of this service can use; the table decides which.
    wanted = frozenset(rule.basis for rule in policy.RULES
                       if rule.service == service and rule.basis is not None)
    return policy.PersonnelRelation(str(staff.role), _care_bases(s, staff, subject, wanted))


def facts_for(s: Session, actor: Actor, subject_pid: str, service: Service) -> policy.Facts:
    """Load what the policy needs about the actor, the subject and how they are related.

    Personnel logged in as personnel act only as personnel: a nurse who is also a parent
    acts as a parent when she logs in as a citizen."""
    me = person_by_pid(s, actor.pid)
    actor_facts = _person_facts(me) if me is not None else None
    if subject_pid == actor.pid:
        own = actor_facts or _facts_from_nin(actor.pid)
        return policy.Facts(own, own, (policy.SelfRelation(),), actor.assurance)
    subject = person_by_pid(s, subject_pid)
    subject_facts = _person_facts(subject) if subject is not None else None
    if me is None or subject is None:
        return policy.Facts(actor_facts, subject_facts, (), actor.assurance)
    relations: list[policy.Relation]
    if actor.is_personnel:
        relations = [_personnel_relation(s, actor, me, subject, service)]
    else:
        relations = _parent_relations(s, me, subject) + _fullmakt_relations(s, me, subject)
    return policy.Facts(actor_facts, subject_facts, tuple(relations), actor.assurance)


def decide(s: Session, actor: Actor, subject_pid: str, service: Service,
           on: dt.date | None = None, *, limits: policy.Thresholds | None = None
           ) -> policy.Decision:
    """What the actor may do for the subject in a service, on a date (today in Oslo).
    Inside reading() it is decided once per subject and service for the whole page."""
    decisions = s.info.get(_DECISIONS)
    key = (actor, subject_pid, service, on, limits)
    if decisions is not None and key in decisions:
        return decisions[key]
    decision = policy.decide(facts_for(s, actor, subject_pid, service), service,
                             on or today_oslo(), limits or thresholds())
    if decisions is not None:
        decisions[key] = decision
    return decision


# --- One page's reads: one transaction, one decision a subject, the log after ----------

_DECISIONS = "digihelse.access.decisions"
_READ_LOG = "digihelse.access.read_log"
_MEMO = "digihelse.access.read_memo"


def read_once(s: Session, key: tuple, compute: Callable[[], T]) -> T:
    """Inside reading(): compute once per page (the card and its booking box ask for the
    same rows); elsewhere, every time."""
    if _DECISIONS not in s.info:
        return compute()
    memo = s.info.setdefault(_MEMO, {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


@contextlib.contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A page's reads in one read transaction (no write lock), with one policy decision
    per subject and service, and its access-log rows held back (record_access collects
    them) until the reads are done. Then they are appended (audit.log.write_reads) and
    committed before this returns: the data read here leaves the service only once the
    log says it was read. A refusal is logged at once, as always (_log_denial)."""
    entries: list[audit_log.Entry] = []
    with held_reads(engine, entries) as s:
        yield s
    audit_log.write_reads(engine, entries)


@contextlib.contextmanager
def held_reads(engine: Engine, entries: list[audit_log.Entry]) -> Iterator[Session]:
    """reading() without the writing: the rows are left in `entries`, and the caller
    writes them (audit.log.write_reads_async) before anything read here leaves it."""
    with db.session(engine) as s:
        s.info[_DECISIONS], s.info[_READ_LOG] = {}, entries
        yield s
        s.info.pop(_READ_LOG)
        s.rollback()  # the reads' transaction ends: nothing in it was written


# --- Logging ------------------------------------------------------------------------------

def _entry(actor: Actor, subject_pid: str, *, action: str, object_type: str,
           object_id: str | None, outcome: str, detail: str | None,
           hidden_from_parents: bool) -> audit_log.Entry:
    # "On behalf of" is a citizen acting for someone else; personnel act on their patient.
    on_behalf = subject_pid if not actor.is_personnel and subject_pid != actor.pid else None
    return audit_log.Entry(
        action=str(action), object_type=object_type, object_id=object_id, outcome=outcome,
        channel=str(actor.channel), actor_pid=actor.pid, actor_role=actor.role,
        actor_name=actor.name or None, actor_hpr=actor.hpr_number,
        organisation=actor.organisation, on_behalf_of_pid=on_behalf, subject_pid=subject_pid,
        detail=detail, hidden_from_parents=hidden_from_parents,
    )


def record_access(s: Session, actor: Actor, subject_pid: str, *, action: Action | str,
                  object_type: str, object_id: str | None = None,
                  service: Service | None = None, hidden_from_parents: bool = False
                  ) -> AccessLog | None:
    """Log a successful read or write in the caller's transaction (the caller commits).

    Anything in the youth service is hidden from parents, whatever the caller says
    (KS: "Foreldre ... ser ikke timene ungdom får via appen")."""
    hidden = hidden_from_parents or service == Service.YOUTH
    entry = _entry(actor, subject_pid, action=str(action), object_type=object_type,
                   object_id=object_id, outcome="ok",
                   detail=service.value if service else None, hidden_from_parents=hidden)
    held = s.info.get(_READ_LOG)
    if held is not None:  # inside reading(): written, and committed, before it returns
        held.append(entry)
        return None
    return audit_log.append(s, entry)


# A marker in Session.info: this transaction has flushed writes (and so may hold write
# locks, or PostgreSQL's access-log chain lock), cleared when the transaction ends.
_WROTE = "digihelse.access.wrote"


@event.listens_for(OrmSession, "after_flush")
def _mark_written(session: OrmSession, _context: object) -> None:
    session.info[_WROTE] = True


@event.listens_for(OrmSession, "after_transaction_end")
def _forget_written(session: OrmSession, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_WROTE, None)


def _engine_of(s: Session) -> Engine:
    bind = s.get_bind()
    return bind.engine if isinstance(bind, Connection) else bind


def _may_hold_write_lock(s: Session) -> bool:
    if not s.in_transaction():
        return False
    # db.write_session begins SQLite transactions IMMEDIATE: the write lock is taken at once.
    immediate = s.get_bind().get_execution_options().get(db._BEGIN_MODE) == "IMMEDIATE"
    return immediate or bool(s.info.get(_WROTE))


def _write_now(engine: Engine, entry: audit_log.Entry, at: dt.datetime) -> None:
    with db.write_session(engine) as own:
        audit_log.append(own, entry, at=at)


def _log_denial(s: Session, entry: audit_log.Entry) -> None:
    """Commit a "denied" row whatever becomes of the caller's transaction.

    It goes in a transaction of its own. If the caller's transaction may hold the write lock
    (SQLite) or the chain lock (PostgreSQL), writing now would wait for the caller, who waits
    for us; the row is then written as soon as the caller's transaction ends, commit or
    rollback, with the time of the refusal."""
    engine, at = _engine_of(s), utcnow()
    if not _may_hold_write_lock(s):
        _write_now(engine, entry, at)
        return
    done = False

    def _after_end(_session: OrmSession, transaction: SessionTransaction) -> None:
        nonlocal done
        if done or transaction.parent is not None:
            return
        done = True
        try:
            _write_now(engine, entry, at)
        except Exception:  # never mask the caller's own error while it unwinds
            logger.exception("could not log a refused access (%s)", entry.detail)

    event.listen(s, "after_transaction_end", _after_end)


def _refuse(s: Session, actor: Actor, subject_pid: str, service: Service, action: Action,
            decision: policy.Decision, *, object_type: str, object_id: str | None
            ) -> NoReturn:
    code = decision.reason or policy.Reason.ACTION_NOT_ALLOWED
    _log_denial(s, _entry(actor, subject_pid, action=str(action), object_type=object_type,
                          object_id=object_id, outcome="denied",
                          detail=f"{service.value}:{code}",
                          hidden_from_parents=service == Service.YOUTH))
    raise AccessDenied(str(code), f"{action.value} is not allowed in the {service.value} "
                       f"service ({code}).", message_key=keyed("access.reason", code))


def record_refusal(s: Session, actor: Actor, subject_pid: str, service: Service,
                   action: Action | str, reason: str, *, object_type: str,
                   object_id: str | None = None) -> None:
    """Log a "denied" row for a refusal the caller answers as "not found" (one 404, so
    the answer tells nothing), whatever becomes of the caller's transaction."""
    _log_denial(s, _entry(actor, subject_pid, action=str(action), object_type=object_type,
                          object_id=object_id, outcome="denied",
                          detail=f"{service.value}:{reason}",
                          hidden_from_parents=service != Service.BASIC))


def require(s: Session, actor: Actor, subject_pid: str, service: Service, action: Action,
            on: dt.date | None = None, *, object_type: str, object_id: str | None = None
            ) -> policy.Decision:
    """The decision, when it allows the action; otherwise log "denied" and raise
    AccessDenied (code = the policy's reason, or "action_not_allowed")."""
    decision = decide(s, actor, subject_pid, service, on)
    if not decision.allows(action):
        _refuse(s, actor, subject_pid, service, action, decision,
                object_type=object_type, object_id=object_id)
    return decision


# --- The "act for" switcher ---------------------------------------------------------------

@dataclass(frozen=True)
class ServiceAccess:
    service: Service
    level: str  # "full", "limited", "none"
    reason: str  # a policy.Reason value, or ""
    allowed: frozenset[Action]


@dataclass(frozen=True)
class SubjectChoice:
    """One person the actor may pick in the "act for" switcher."""

    pid: str
    name: str
    age: int | None
    relation: str  # "self", "parent", "fullmakt", or "parent+fullmakt"
    access: tuple[ServiceAccess, ...]

    def for_service(self, service: Service) -> ServiceAccess:
        return next(a for a in self.access if a.service == service)

    @property
    def can_act(self) -> bool:
        return any(a.level != "none" for a in self.access)


def _choice(s: Session, actor: Actor, pid: str, name: str, birth: dt.date | None,
            on: dt.date, limits: policy.Thresholds) -> SubjectChoice:
    access, kinds = [], []
    for service in Service:
        facts = facts_for(s, actor, pid, service)
        decision = policy.decide(facts, service, on, limits)
        access.append(ServiceAccess(service, decision.level, decision.reason, decision.allowed))
        kinds += [str(r.kind) for r in facts.relations if str(r.kind) not in kinds]
    age = age_on(birth, on) if birth is not None else None
    return SubjectChoice(pid, name, age, "+".join(kinds) or "none", tuple(access))


def representable_subjects(s: Session, actor: Actor, on: dt.date | None = None
                           ) -> list[SubjectChoice]:
    """The actor first, then their children (youngest first), then fullmakt givers by name.

    Children the actor cannot act for are still listed, with level "none" and the reason
    (say, child_too_old), so that a parent sees why rather than wondering where a child
    went. One exception: a child with a confidential address is left out unless the
    actor shares the protection, so the list never discloses that a child has kode 6/7."""
    on = on or today_oslo()
    limits = thresholds()
    me = person_by_pid(s, actor.pid)
    own_birth = me.birth_date if me is not None else getattr(_facts_from_nin(actor.pid),
                                                             "birth_date", None)
    choices = [_choice(s, actor, actor.pid, me.full_name if me else actor.name, own_birth,
                       on, limits)]
    if me is None or actor.is_personnel:
        return choices
    candidates: dict[int, Person] = {child.id: child for child, _link in children_of(s, me)}
    givers = s.exec(
        select(Person).join(Fullmakt, Fullmakt.giver_id == Person.id)
        .where(Fullmakt.receiver_id == me.id, Fullmakt.revoked_at.is_(None),
               or_(Fullmakt.valid_to.is_(None), Fullmakt.valid_to >= on))
        .order_by(Person.family_name, Person.given_name)
    ).all()
    for giver in givers:
        candidates.setdefault(giver.id, giver)
    me_confidential = _person_facts(me).confidential
    for person in candidates.values():
        if person.id == me.id:
            continue
        if _person_facts(person).confidential and not me_confidential:
            continue
        choices.append(_choice(s, actor, person.nin, person.full_name, person.birth_date,
                               on, limits))
    return choices


# --- "Hvem har sett opplysningene mine" ---------------------------------------------------

@dataclass(frozen=True)
class AccessLogLine:
    """One access-log row as the subject (or their parent) may see it: no id numbers."""

    at: dt.datetime  # UTC; the page shows it in Europe/Oslo
    actor_name: str
    actor_role: str  # "citizen" or a StaffRole value
    organisation: str | None
    hpr_number: str | None  # personnel's public HPR number
    action: str
    object_type: str
    channel: str
    outcome: str  # ok, denied, ...
    by_viewer: bool  # the viewer did this themself
    other_name: str = ""  # whom it concerns besides her: the fullmakt's other party
    viewer_gave: bool = True  # for a fullmakt row: she gave it (else it was given to her)


@dataclass(frozen=True)
class Cursor:
    """Where the next (older) page starts: after this row, in (at, id) order."""

    at: dt.datetime
    id: int


@dataclass(frozen=True)
class AccessLogPage:
    lines: list[AccessLogLine]
    next: Cursor | None  # None: nothing older


def _who_clause(who: codes.Who, viewer_pid: str):
    if who == codes.Who.ME:
        return AccessLog.actor_pid == viewer_pid
    if who == codes.Who.PERSONNEL:
        return AccessLog.actor_role.not_in((codes.CITIZEN, "anonymous"))
    if who == codes.Who.FAMILY:
        return (AccessLog.actor_role == codes.CITIZEN) & or_(
            AccessLog.actor_pid.is_(None), AccessLog.actor_pid != viewer_pid)
    return None


def access_log_page(s: Session, viewer: Actor, subject_pid: str, on: dt.date | None = None,
                    *, who: codes.Who = codes.Who.ALL, what: codes.What = codes.What.ALL,
                    after: Cursor | None = None, size: int = 20,
                    log_view: bool = True) -> AccessLogPage:
    """One page of the access log about a subject, newest first, as the viewer may see it
    (pasientjournalloven § 18), filtered by who and what in the query and paged by keyset
    (at, id): at most size + 1 rows are fetched. The first page logs the viewing (unless
    log_view is False: the same look, narrowed by a filter) in the caller's transaction:
    call it in a write session. Raises AccessDenied without
    VIEW_ACCESS_LOG for the subject."""
    on = on or today_oslo()
    decisions = {service: decide(s, viewer, subject_pid, service, on) for service in Service}
    grant = next((d for d in decisions.values() if d.allows(Action.VIEW_ACCESS_LOG)), None)
    if grant is None:
        _refuse(s, viewer, subject_pid, Service.BASIC, Action.VIEW_ACCESS_LOG,
                decisions[Service.BASIC], object_type="access_log", object_id=None)
    query = select(AccessLog).where(AccessLog.subject_pid == subject_pid)
    if not policy.log_row_visible(grant.relation, hidden_from_parents=True):
        query = query.where(AccessLog.hidden_from_parents == False)  # noqa: E712
    clause = _who_clause(codes.Who(who), viewer.pid)
    if clause is not None:
        query = query.where(clause)
    if what != codes.What.ALL:
        query = query.where(AccessLog.object_type.in_(codes.WHAT_OBJECTS[codes.What(what)]))
    if after is not None:
        query = query.where(or_(AccessLog.at < after.at,
                                (AccessLog.at == after.at) & (AccessLog.id < after.id)))
    fetched = s.exec(query.order_by(AccessLog.at.desc(), AccessLog.id.desc())
                     .limit(size + 1)).all()
    rows, more = fetched[:size], len(fetched) > size
    unnamed = {row.actor_pid for row in rows if not row.actor_name and row.actor_pid}
    names = {p.nin: p.full_name for p in s.exec(select(Person).where(Person.nin.in_(unnamed)))}
    parties = _fullmakt_parties(s, rows)
    lines = []
    for row in rows:
        # The SQL filter above already keeps only what she may see; this is the same rule,
        # kept as a second lock.
        if not policy.log_row_visible(grant.relation, row.hidden_from_parents):
            continue
        giver, receiver = parties.get(row.object_id or "", ("", "")) \
            if row.object_type == "fullmakt" else ("", "")
        gave = row.object_type != "fullmakt" or giver == "" or giver[0] == subject_pid
        other = (receiver if gave else giver)[1] if giver else ""
        lines.append(AccessLogLine(
            at=row.at, actor_name=row.actor_name or names.get(row.actor_pid or "", ""),
            actor_role=row.actor_role, organisation=row.organisation, hpr_number=row.actor_hpr,
            action=row.action, object_type=row.object_type, channel=row.channel,
            outcome=row.outcome, by_viewer=row.actor_pid == viewer.pid, other_name=other,
            viewer_gave=gave,
        ))
    if after is None and log_view:
        # A young person's look at her own log is hers alone, like the youth service.
        record_access(s, viewer, subject_pid, action=Action.VIEW_ACCESS_LOG,
                      object_type="access_log", hidden_from_parents=viewer.pid == subject_pid)
    last = rows[-1] if rows else None
    return AccessLogPage(lines, Cursor(last.at, last.id) if more and last else None)


def _fullmakt_parties(s: Session, rows) -> dict[str, tuple]:
    """Fullmakt id -> ((giver nin, name), (receiver nin, name)) for the rows about one."""
    ids = {int(r.object_id) for r in rows
           if r.object_type == "fullmakt" and (r.object_id or "").isdigit()}
    if not ids:
        return {}
    grants = s.exec(select(Fullmakt).where(Fullmakt.id.in_(ids))).all()
    people = {p.id: p for p in s.exec(select(Person).where(Person.id.in_(
        {g.giver_id for g in grants} | {g.receiver_id for g in grants})))}
    out = {}
    for g in grants:
        giver, receiver = people.get(g.giver_id), people.get(g.receiver_id)
        if giver and receiver:
            out[str(g.id)] = ((giver.nin, giver.full_name), (receiver.nin, receiver.full_name))
    return out


def visible_access_log(s: Session, viewer: Actor, subject_pid: str, on: dt.date | None = None,
                       *, limit: int = 200) -> list[AccessLogLine]:
    """The first `limit` rows of the access log (see access_log_page)."""
    return access_log_page(s, viewer, subject_pid, on, size=limit).lines
