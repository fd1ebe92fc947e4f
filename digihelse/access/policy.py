"""Who may act for whom: the representation rules as one pure table (no database, no settings).

Pasient- og brukerrettighetsloven §§ 3-4, 4-3 and helsenorge.no, as summarised in DOMAIN.md."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, ClassVar

from digihelse.access.actors import Action, Service
from digihelse.core.i18n.families import keyed
from digihelse.people.kinds import AddressProtection, StaffRole
from digihelse.people.nin import age_on

if TYPE_CHECKING:  # only for the type hint; the policy never reads settings itself
    from digihelse.core.settings import Settings

CONFIDENTIAL = frozenset({AddressProtection.KODE6, AddressProtection.KODE7})
SCHOOL_NURSE, MIDWIFE, GP = StaffRole.SCHOOL_NURSE, StaffRole.MIDWIFE, StaffRole.GP


# Helsestasjon for ungdom serves young people up to and including this age (the service's
# definition, not a setting). The UI asks in_youth_ages() rather than repeat the figures.
YOUTH_CLINIC_MAX_AGE = 24


@dataclass(frozen=True)
class Thresholds:
    """The ages the rules turn on; each is a setting (DOMAIN.md says which are choices)."""

    # The youth service's own figure; MinID comes only from the year one turns 13
    # (MinID's terms of use, 3.1).
    youth_self_service_age: int = 12
    basic_self_service_age: int = 16  # helserettslig myndig, § 4-3
    parent_full_access_below: int = 12  # § 3-4: parents' access narrows from 12
    parent_no_access_from: int = 16  # § 3-4 / § 4-3: and ends at 16
    fullmakt_giver_min_age: int = 16  # helsenorge.no/fullmakt
    fullmakt_receiver_min_age: int = 18  # helsenorge.no/fullmakt

    @classmethod
    def from_settings(cls, settings: Settings) -> Thresholds:
        return cls(**{f.name: getattr(settings, f.name) for f in fields(cls)})

    def in_youth_ages(self, age: int) -> bool:
        """Old enough for the youth service and young enough for the youth clinic."""
        return self.youth_self_service_age <= age <= YOUTH_CLINIC_MAX_AGE


def young(age: int) -> bool:
    """Young enough for the youth clinic: such a person gets the quick exit ("Lukk")."""
    return age <= YOUTH_CLINIC_MAX_AGE


class RelationKind(enum.StrEnum):
    SELF = "self"
    PARENT = "parent"
    FULLMAKT = "fullmakt"
    PERSONNEL = "personnel"
    NONE = "none"


class CareBasis(enum.StrEnum):
    """Why a health worker has a care relation with a person (tjenstlig behov)."""

    SCHOOL = "school"  # the worker serves a school the pupil attends
    YOUTH_CLINIC = "youth_clinic"  # the worker serves a youth clinic, open to all from 12
    PREGNANCY_CARER = "pregnancy_carer"  # midwife or GP on the woman's active record
    # The worker serves a health station of the child's municipality: the health station
    # serves the municipality's children (forskrift om helsestasjons- og
    # skolehelsetjenesten § 2: barn og ungdom 0–20 år), so a parent's message for a child
    # under 12 reaches a nurse who may read it.
    HEALTH_STATION = "health_station"


class Reason(enum.StrEnum):
    """Machine codes for a refusal or a limitation; the UI's text key is access.reason.<code>."""

    TOO_YOUNG = "too_young"
    CHILD_TOO_OLD = "child_too_old"
    CHILD_TEEN = "child_teen"  # parents of 12-15 year olds see appointments only
    NO_PARENTAL_RESPONSIBILITY = "no_parental_responsibility"
    NO_PARENT_AT_ADDRESS = "no_parent_at_address"
    CONFIDENTIAL_ADDRESS = "confidential_address"
    YOUTH_SERVICE_PERSONAL = "youth_service_personal"
    CARD_PERSONAL = "card_personal"
    FULLMAKT_SCOPE = "fullmakt_scope"
    FULLMAKT_NOT_YET_VALID = "fullmakt_not_yet_valid"
    FULLMAKT_EXPIRED = "fullmakt_expired"
    FULLMAKT_REVOKED = "fullmakt_revoked"
    GIVER_TOO_YOUNG = "giver_too_young"
    RECEIVER_TOO_YOUNG = "receiver_too_young"
    VIEW_ONLY = "view_only"
    NO_CARE_RELATION = "no_care_relation"
    ROLE_NOT_PERMITTED = "role_not_permitted"
    NO_RELATION = "no_relation"
    UNKNOWN_PERSON = "unknown_person"
    ACTION_NOT_ALLOWED = "action_not_allowed"  # the relation allows other actions, not this
    LOGIN_LEVEL = "login_level"  # the login (a nurse-verified passkey) does not reach this


# --- Inputs -------------------------------------------------------------------------------

@dataclass(frozen=True)
class PersonFacts:
    pid: str
    birth_date: dt.date
    address_key: str | None = None
    protection: str = "none"  # an AddressProtection value

    @property
    def confidential(self) -> bool:
        return self.protection in CONFIDENTIAL

    def age(self, on: dt.date) -> int:
        return age_on(self.birth_date, on)


@dataclass(frozen=True)
class SelfRelation:
    kind: ClassVar[RelationKind] = RelationKind.SELF


@dataclass(frozen=True)
class ParentRelation:
    parental_responsibility: bool
    # Whether ANY parent with parental responsibility (this one or another) is registered
    # at the child's address (helsenorge.no: at least one parent must live with the child).
    responsible_parent_at_address: bool
    kind: ClassVar[RelationKind] = RelationKind.PARENT


@dataclass(frozen=True)
class FullmaktRelation:
    """One power of attorney from the subject (giver) to the actor (receiver)."""

    services: frozenset[Service]
    valid_from: dt.date
    valid_to: dt.date | None = None  # open-ended
    revoked: bool = False
    kind: ClassVar[RelationKind] = RelationKind.FULLMAKT


@dataclass(frozen=True)
class PersonnelRelation:
    role: str  # a StaffRole value
    care: frozenset[CareBasis] = frozenset()  # empty: no care relation at all
    kind: ClassVar[RelationKind] = RelationKind.PERSONNEL


Relation = SelfRelation | ParentRelation | FullmaktRelation | PersonnelRelation


class Assurance(enum.StrEnum):
    """What the login behind a session proves about who she is (UserSession.assurance)."""

    EID = "eid"  # MinID, BankID, Buypass, Commfides through ID-porten (or HelseID)
    PASSKEY_EID = "passkey_eid"  # "passkey, eid-derived": added in an eID session
    PASSKEY_NURSE = "passkey_nurse"  # "passkey, nurse-verified": onboarded by her nurse


@dataclass(frozen=True)
class Facts:
    """Everything the rules need about one actor and one subject."""

    actor: PersonFacts | None  # None: not in the registry
    subject: PersonFacts | None
    relations: tuple[Relation, ...] = ()
    assurance: str = Assurance.EID  # how the actor logged in


@dataclass(frozen=True)
class ItemFacts:
    """One item (appointment, message, card entry) as far as visibility goes."""

    service: Service
    guardian_reservation: bool = False  # vergeinnsynsreservasjon, set by personnel
    hidden_from_proxy: bool = False  # the owner hid it from fullmakt receivers


# --- Output -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Decision:
    allowed: frozenset[Action]
    relation: str  # a RelationKind value
    limited: bool = False
    reason: str = ""  # a Reason value when refused or limited, else ""

    def allows(self, action: Action) -> bool:
        return action in self.allowed

    @property
    def level(self) -> str:
        """The UI's summary: full, limited or none."""
        if not self.allowed:
            return "none"
        return "limited" if self.limited else "full"


def refused(reason: str, relation: str = RelationKind.NONE) -> Decision:
    return Decision(frozenset(), str(relation), False, str(reason))


# --- The table ----------------------------------------------------------------------------

class Condition(enum.StrEnum):
    """A precondition a rule row names; _CHECKS says how each is tested and what it answers."""

    PARENTAL_RESPONSIBILITY = "parental_responsibility"
    PARENT_AT_ADDRESS = "parent_at_address"
    IN_SCOPE = "in_scope"
    NOT_REVOKED = "not_revoked"
    STARTED = "started"
    NOT_EXPIRED = "not_expired"
    RECEIVER_OF_AGE = "receiver_of_age"
    CARE_RELATION = "care_relation"


@dataclass(frozen=True)
class Rule:
    """One row: relation × service × the subject's age band → actions, given conditions.

    Ages are names of Thresholds fields, so the table reads like the law and the figures
    stay settings: from_age means "at least this old", below_age "younger than this"."""

    relation: RelationKind
    service: Service
    actions: frozenset[Action]
    from_age: str | None = None
    below_age: str | None = None
    needs: tuple[Condition, ...] = ()
    limited: bool = False
    reason: str = ""  # why the row is limited
    roles: frozenset[str] = frozenset()  # personnel rows: the roles they are for
    basis: CareBasis | None = None  # personnel rows: the care relation they need
    source: str = ""

    def fits_age(self, age: int, th: Thresholds) -> bool:
        high = None if self.below_age is None else getattr(th, self.below_age)
        return age >= self.min_age(th) and (high is None or age < high)

    def min_age(self, th: Thresholds) -> int:
        return 0 if self.from_age is None else getattr(th, self.from_age)


# Short names so each row fits on a line: relation kinds, services, actions.
A = Action
_LOG = frozenset({A.VIEW_ACCESS_LOG})
_BOOKING = frozenset({A.VIEW_APPOINTMENTS, A.BOOK, A.CANCEL, A.SEND_MESSAGE})
_NURSE = _BOOKING | {A.MANAGE_SCHEDULE}
# Midwives and GPs keep the card; a midwife also runs her pregnancy bookings (a GP keeps
# no schedule here: the booking service refuses GPs before the policy is asked).
# Both write messages about the pregnancy: she to her midwife, the midwife back (issue 18).
_CARER = frozenset({A.VIEW_CARD, A.EDIT_CARD, A.VIEW_APPOINTMENTS, A.CANCEL,
                    A.MANAGE_SCHEDULE, A.SEND_MESSAGE})
_OWN_CARD = frozenset({A.VIEW_CARD, A.WRITE_OWN_NOTES, A.VIEW_APPOINTMENTS, A.BOOK, A.CANCEL,
                       A.SEND_MESSAGE})
_PARENT_NEEDS = (Condition.PARENTAL_RESPONSIBILITY, Condition.PARENT_AT_ADDRESS)
_FULLMAKT_NEEDS = (Condition.IN_SCOPE, Condition.NOT_REVOKED, Condition.STARTED,
                   Condition.NOT_EXPIRED, Condition.RECEIVER_OF_AGE)
_CARE = (Condition.CARE_RELATION,)
S, P, F, H = RelationKind.SELF, RelationKind.PARENT, RelationKind.FULLMAKT, RelationKind.PERSONNEL
Y, B, G = Service.YOUTH, Service.BASIC, Service.PREGNANCY

RULES: tuple[Rule, ...] = (
    # Oneself. The youth service and one's own access log from 12 (the programme's figure;
    # pasientjournalloven § 18 gives the right to see the log); the family service from 16,
    # when one is "helserettslig myndig" (§ 4-3). The pregnancy card is hers: she reads it and
    # writes her own notes, and books, sees and cancels her consultations with her midwife;
    # only her midwife or GP edits it (IS-2199).
    Rule(S, Y, _BOOKING | _LOG, from_age="youth_self_service_age"),
    Rule(S, B, _LOG, from_age="youth_self_service_age", below_age="basic_self_service_age",
         limited=True, reason=Reason.TOO_YOUNG),
    Rule(S, B, _BOOKING | _LOG, from_age="basic_self_service_age", source="§ 4-3"),
    Rule(S, G, _OWN_CARD | _LOG, from_age="youth_self_service_age"),
    # Parents with parental responsibility, family service only, and only while at least one
    # responsible parent lives at the child's address (helsenorge.no). Under 12: everything.
    # 12-15: appointments only, no messages or booking (§ 3-4 second paragraph). 16: nothing
    # (§ 4-3). There are no parent rows for the youth service ("foreldre ser ikke timene
    # ungdom får", KS) or the pregnancy card (DOMAIN.md: a minor's card is hers).
    Rule(P, B, _BOOKING | _LOG, below_age="parent_full_access_below", needs=_PARENT_NEEDS,
         source="§ 3-4 first paragraph"),
    Rule(P, B, frozenset({A.VIEW_APPOINTMENTS}), from_age="parent_full_access_below",
         below_age="parent_no_access_from", needs=_PARENT_NEEDS, limited=True,
         reason=Reason.CHILD_TEEN, source="§ 3-4 second paragraph"),
    # Fullmakt (helsenorge.no/fullmakt): giver 16+, receiver 18+, valid that day, within its
    # scope. The family service as the giver would use it; the card and her pregnancy
    # appointments to view only (a partner "can see the card", and so when she is due at the
    # midwife; booking and cancelling stay hers). No youth-service row: that is the pupil's own.
    Rule(F, B, _BOOKING, from_age="fullmakt_giver_min_age", needs=_FULLMAKT_NEEDS),
    Rule(F, G, frozenset({A.VIEW_CARD, A.VIEW_APPOINTMENTS}), from_age="fullmakt_giver_min_age",
         needs=_FULLMAKT_NEEDS, limited=True, reason=Reason.VIEW_ONLY),
    # Health personnel only where they have a care relation (pasientjournalloven § 22:
    # access only on "tjenstlig behov"). School nurses at the pupil's school (youth and family
    # service) or at a youth clinic (youth service, open to anyone from 12); the woman's
    # midwife or GP on her card. Nurses have no row on the card.
    Rule(H, Y, _NURSE, from_age="youth_self_service_age", needs=_CARE,
         roles=frozenset({SCHOOL_NURSE}), basis=CareBasis.SCHOOL),
    Rule(H, Y, _NURSE, from_age="youth_self_service_age", needs=_CARE,
         roles=frozenset({SCHOOL_NURSE}), basis=CareBasis.YOUTH_CLINIC),
    Rule(H, B, _NURSE, needs=_CARE, roles=frozenset({SCHOOL_NURSE}), basis=CareBasis.SCHOOL),
    # The health station's nurse for the young children whose parents act for them (under
    # 12): from 12 a pupil has her school nurse and the youth clinic (our choice of scope).
    Rule(H, B, _NURSE, below_age="parent_full_access_below", needs=_CARE,
         roles=frozenset({SCHOOL_NURSE}), basis=CareBasis.HEALTH_STATION),
    Rule(H, G, _CARER, needs=_CARE, roles=frozenset({MIDWIFE, GP}),
         basis=CareBasis.PREGNANCY_CARER),
)

# --- What a login's assurance reaches -----------------------------------------------------
#
# A passkey from the school nurse: the nurse verified the pupil in person (she knows her, or
# saw an ID card) and bound a one-time code to the pupil's national id number; the pupil then
# registered a passkey: a possession factor (a key that never leaves her device) unlocked
# with user verification (PIN or biometrics). In eIDAS terms (Implementing Regulation (EU)
# 2015/1502, annex 2.2.1, authentication means) that is two factors, as substantial asks;
# but the identity proofing (annex 2.1.2) is a nurse's, not that of an eID issuer under
# supervision, with no check against the passport or population register's documents.
# So the login counts as below ID-porten's "idporten-loa-substantial" (MinID's level, which
# health data normally needs), and reaches only what the youth service offers a 12-year-old
# without a parent and what her nurse would do for her in person anyway: her own youth-clinic
# and school-nurse times (see, book, cancel, message). Never acting for anyone, never a
# fullmakt, never the family service, the pregnancy card or the access log: those hold other
# people's data or health data a wrong person must not see, and they wait for MinID/BankID.
#
# A passkey added after MinID or BankID ("passkey, eid-derived") inherits that eID's level,
# as the Helsenorge app's biometrics do after the first login, but only for a set number of
# days after an eID login (Settings.passkey_eid_days, 90 by default); then the login asks
# for the eID again (digihelse/auth/passkeys.py). It has no limit here.


@dataclass(frozen=True)
class AssuranceLimit:
    """What a login of a given assurance may ever reach, whatever the relation rows say."""

    relations: frozenset[RelationKind]
    services: frozenset[Service]
    actions: frozenset[Action]
    source: str = ""


ASSURANCE_LIMITS: dict[str, AssuranceLimit] = {
    Assurance.PASSKEY_NURSE: AssuranceLimit(
        frozenset({S}), frozenset({Y}), _BOOKING,
        source="eIDAS 2015/1502 2.1.2, 2.2.1; ID-porten levels (idporten-loa-substantial)"),
}


def limit_for(assurance: str) -> AssuranceLimit | None:
    """The cap on a login of this assurance (None: only the relation rows apply). An
    unknown value gets the strictest cap there is, never none."""
    if assurance in (Assurance.EID, Assurance.PASSKEY_EID):
        return None
    return ASSURANCE_LIMITS.get(assurance, ASSURANCE_LIMITS[Assurance.PASSKEY_NURSE])


def _capped(decision: Decision, kind: RelationKind, service: Service,
            limit: AssuranceLimit | None) -> Decision:
    if limit is None or not decision.allowed:
        return decision
    if kind not in limit.relations or service not in limit.services:
        return refused(Reason.LOGIN_LEVEL, kind)
    allowed = decision.allowed & limit.actions
    if not allowed:
        return refused(Reason.LOGIN_LEVEL, kind)
    if allowed == decision.allowed:
        return decision
    return Decision(allowed, decision.relation, True, str(Reason.LOGIN_LEVEL))


# Why nothing is allowed when the table has no row at all for a relation and service.
NO_ROW_REASON: dict[tuple[RelationKind, Service], Reason] = {
    (P, Y): Reason.YOUTH_SERVICE_PERSONAL,
    (P, G): Reason.CARD_PERSONAL,
    (F, Y): Reason.YOUTH_SERVICE_PERSONAL,
}
# Why nothing is allowed when rows exist but the subject's age fits none of them.
TOO_YOUNG_REASON = {S: Reason.TOO_YOUNG, F: Reason.GIVER_TOO_YOUNG, H: Reason.TOO_YOUNG,
                    P: Reason.TOO_YOUNG}
TOO_OLD_REASON = {P: Reason.CHILD_TOO_OLD}

# Confidential addresses (kode 6/7) stop representation in both directions; a person's
# own access, and health personnel's care, are not representation and go on.
REPRESENTATION = frozenset({P, F})


@dataclass(frozen=True)
class _Context:
    actor: PersonFacts | None
    subject: PersonFacts
    service: Service
    on: dt.date
    th: Thresholds


def _fullmakt(rel: Relation) -> FullmaktRelation:
    assert isinstance(rel, FullmaktRelation)
    return rel


def _receiver_of_age(rule: Rule, rel: Relation, c: _Context) -> bool:
    return c.actor is not None and c.actor.age(c.on) >= c.th.fullmakt_receiver_min_age


_CheckFn = Callable[[Rule, Relation, _Context], bool]
_CHECKS: dict[Condition, tuple[_CheckFn, Reason]] = {
    Condition.PARENTAL_RESPONSIBILITY: (
        lambda _r, rel, _c: getattr(rel, "parental_responsibility", False),
        Reason.NO_PARENTAL_RESPONSIBILITY),
    Condition.PARENT_AT_ADDRESS: (
        lambda _r, rel, _c: getattr(rel, "responsible_parent_at_address", False),
        Reason.NO_PARENT_AT_ADDRESS),
    Condition.IN_SCOPE: (
        lambda _r, rel, c: c.service in _fullmakt(rel).services, Reason.FULLMAKT_SCOPE),
    Condition.NOT_REVOKED: (
        lambda _r, rel, _c: not _fullmakt(rel).revoked, Reason.FULLMAKT_REVOKED),
    Condition.STARTED: (
        lambda _r, rel, c: _fullmakt(rel).valid_from <= c.on, Reason.FULLMAKT_NOT_YET_VALID),
    Condition.NOT_EXPIRED: (
        lambda _r, rel, c: _fullmakt(rel).valid_to is None or c.on <= _fullmakt(rel).valid_to,
        Reason.FULLMAKT_EXPIRED),
    Condition.RECEIVER_OF_AGE: (_receiver_of_age, Reason.RECEIVER_TOO_YOUNG),
    Condition.CARE_RELATION: (
        lambda rule, rel, _c: rule.basis in getattr(rel, "care", frozenset()),
        Reason.NO_CARE_RELATION),
}


def _first_failure(rule: Rule, rel: Relation, c: _Context) -> Reason | None:
    for condition in rule.needs:
        check, reason = _CHECKS[condition]
        if not check(rule, rel, c):
            return reason
    return None


def _decide_one(rel: Relation, c: _Context) -> Decision:
    kind = rel.kind
    if kind in REPRESENTATION and (c.subject.confidential
                                   or c.actor is None or c.actor.confidential):
        if c.actor is None:
            return refused(Reason.UNKNOWN_PERSON, kind)
        return refused(Reason.CONFIDENTIAL_ADDRESS, kind)
    rows = [r for r in RULES if r.relation == kind and r.service == c.service]
    if isinstance(rel, PersonnelRelation):
        rows = [r for r in rows if rel.role in r.roles]
    if not rows:
        default = Reason.ROLE_NOT_PERMITTED if kind == H else Reason.NO_RELATION
        return refused(NO_ROW_REASON.get((kind, c.service), default), kind)
    age = c.subject.age(c.on)
    fitting = [r for r in rows if r.fits_age(age, c.th)]
    if not fitting:
        too_young = all(age < r.min_age(c.th) for r in rows)
        table = TOO_YOUNG_REASON if too_young else TOO_OLD_REASON
        return refused(table.get(kind, Reason.NO_RELATION), kind)
    granted: list[Rule] = []
    failure: Reason | None = None
    for rule in fitting:
        why = _first_failure(rule, rel, c)
        if why is None:
            granted.append(rule)
        elif failure is None:
            failure = why
    if not granted:
        return refused(failure or Reason.NO_RELATION, kind)
    allowed = frozenset().union(*(r.actions for r in granted))
    limited_rows = [r for r in granted if r.limited]
    if len(limited_rows) == len(granted):
        return Decision(allowed, str(kind), True, str(limited_rows[0].reason))
    return Decision(allowed, str(kind))


def decide(facts: Facts, service: Service, on: dt.date,
           thresholds: Thresholds | None = None) -> Decision:
    """What the actor may do for the subject in a service on a date.

    With several relations (a parent who also holds the child's fullmakt) the allowed
    actions are their union; relation, limited and reason come from the one that gives most
    (or, when all refuse, the first)."""
    if facts.subject is None:
        return refused(Reason.UNKNOWN_PERSON)
    if not facts.relations:
        return refused(Reason.NO_RELATION)
    context = _Context(facts.actor, facts.subject, service, on, thresholds or Thresholds())
    limit = limit_for(facts.assurance)
    decisions = [_capped(_decide_one(rel, context), rel.kind, service, limit)
                 for rel in facts.relations]
    best = max(decisions, key=lambda d: (bool(d.allowed), not d.limited, len(d.allowed)))
    allowed = frozenset().union(*(d.allowed for d in decisions))
    return Decision(allowed, best.relation, best.limited, best.reason)


# --- What each personnel role keeps ------------------------------------------------------
# The personnel menu, the booking service, the card and the FHIR API ask here.

def role_may(role: str, service: Service, action: Action) -> bool:
    """Whether health personnel in this role may ever take this action in this service (given
    a care relation): what their menus offer and which staff the services accept."""
    return any(rule.relation == RelationKind.PERSONNEL and rule.service == service
               and role in rule.roles and action in rule.actions for rule in RULES)


def keeps_cards(role: str) -> bool:
    """The roles that write pregnancy cards (midwives and GPs, by the table): Mine gravide."""
    return role_may(role, Service.PREGNANCY, Action.EDIT_CARD)


# Who publishes bookable hours and manages the bookings on them: I dag, Min timeplan, Uke.
# Not role_may(MANAGE_SCHEDULE): a GP keeps the pregnancy card but no schedule here (the
# _CARER row's MANAGE_SCHEDULE is the midwife's).
SCHEDULING_ROLES = frozenset({SCHOOL_NURSE, MIDWIFE})


def keeps_schedule(role: str) -> bool:
    """School nurses and midwives."""
    return role in SCHEDULING_ROLES


def onboards_pupils(role: str) -> bool:
    """Who may verify a pupil in person and give her a passkey activation code: the
    school and youth-clinic nurses, who serve her in the youth service (the table says)."""
    return role_may(role, Service.YOUTH, Action.MANAGE_SCHEDULE)


# --- Item and log visibility --------------------------------------------------------------

def item_visible(relation: str, item: ItemFacts) -> bool:
    """Whether one item may be shown to someone with this relation to its owner.

    Parents never see the youth service ("foreldre ser ikke timene ungdom får", KS) nor the
    card, nor an item with a vergeinnsynsreservasjon (§ 3-4 second paragraph: personnel
    decide). A fullmakt receiver never sees the youth service nor items the owner hid."""
    kind = RelationKind(relation)
    if kind in (S, H):
        return True  # personnel are already limited by their care relation
    if kind == P:
        return item.service == B and not item.guardian_reservation
    if kind == F:
        return item.service != Y and not item.hidden_from_proxy
    return False


def log_row_visible(relation: str, hidden_from_parents: bool) -> bool:
    """Whether an access-log row may be shown to a viewer with this relation to the subject.

    Rows marked hidden_from_parents (the youth service, reserved items) are the subject's
    alone; every other viewer of the log sees only the rest (pasientjournalloven § 18)."""
    kind = RelationKind(relation)
    if kind == S:
        return True
    return kind != RelationKind.NONE and not hidden_from_parents


# --- Plain words for the UI ---------------------------------------------------------------

@dataclass(frozen=True)
class Explanation:
    level: str  # "full", "limited", "none"
    reason: str  # a Reason value, or ""
    level_key: str  # i18n key: access.level.<level>
    reason_key: str | None  # i18n key: access.reason.<reason>, None when there is no reason


def explain(decision: Decision) -> Explanation:
    """What acting for a subject allows, as i18n keys the page turns into a sentence."""
    reason = decision.reason
    return Explanation(decision.level, reason, keyed("access.level", decision.level),
                       keyed("access.reason", reason) if reason else None)


def explanation_keys() -> Iterable[str]:
    """Every i18n key explain() can return, for a test that the texts have them all."""
    yield from (keyed("access.level", level) for level in ("full", "limited", "none"))
    yield from (keyed("access.reason", reason) for reason in Reason)
