"""The registry's kinds of thing as plain enums, free of the database layer, so that the
access policy (a pure table) and the tables themselves name them from one place."""

from __future__ import annotations

import enum


class AddressProtection(enum.StrEnum):
    NONE = "none"
    KODE7 = "kode7"  # fortrolig adresse
    KODE6 = "kode6"  # strengt fortrolig adresse


class PlaceKind(enum.StrEnum):
    LOWER_SECONDARY = "lower_secondary"  # ungdomsskole
    UPPER_SECONDARY = "upper_secondary"  # videregående skole
    YOUTH_CLINIC = "youth_clinic"  # helsestasjon for ungdom (HFU)
    HEALTH_STATION = "health_station"  # helsestasjon
    GP_OFFICE = "gp_office"  # fastlegekontor


class StaffRole(enum.StrEnum):
    SCHOOL_NURSE = "school_nurse"
    MIDWIFE = "midwife"
    GP = "gp"
