"""Which personnel pages each role may use: the menu and the pages ask the same rule."""

from hypothesis import given
from hypothesis import strategies as st

from digihelse.access import personnel_areas
from digihelse.access.personnel_areas import PAGE_AREAS, Area
from digihelse.people.kinds import StaffRole


def test_each_role_has_its_own_pages():
    assert personnel_areas.areas_for(StaffRole.SCHOOL_NURSE) == [Area.SCHEDULE, Area.ONBOARDING]
    assert personnel_areas.areas_for(StaffRole.MIDWIFE) == [Area.SCHEDULE, Area.CARDS]
    assert personnel_areas.areas_for(StaffRole.GP) == [Area.CARDS]
    assert not personnel_areas.may_open(StaffRole.SCHOOL_NURSE, "women")
    assert not personnel_areas.may_open(StaffRole.SCHOOL_NURSE, "card")
    assert not personnel_areas.may_open(StaffRole.GP, "schedule")
    assert not personnel_areas.may_open(StaffRole.GP, "week")
    assert personnel_areas.may_open(StaffRole.MIDWIFE, "card")
    assert personnel_areas.may_open(StaffRole.SCHOOL_NURSE, "activation")
    assert not personnel_areas.may_open(StaffRole.MIDWIFE, "activation")
    assert not personnel_areas.may_open(StaffRole.GP, "activation")


def test_a_citizen_or_an_unknown_role_opens_no_personnel_page():
    for role in ("citizen", "", "admin"):
        assert personnel_areas.areas_for(role) == []


@given(st.sampled_from(list(StaffRole)), st.sampled_from(sorted(PAGE_AREAS)))
def test_a_page_opens_exactly_when_its_area_is_in_the_menu(role, page_key):
    """No menu entry leads to a refusal, and no page opens that the menu does not offer."""
    in_menu = PAGE_AREAS[page_key] in personnel_areas.areas_for(role)
    assert personnel_areas.may_open(role, page_key) == in_menu


def test_every_role_has_somewhere_to_start():
    assert all(personnel_areas.areas_for(role) for role in StaffRole)
