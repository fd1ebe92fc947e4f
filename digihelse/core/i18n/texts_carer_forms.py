"""Texts for the carer's own forms on the pregnancy card ("Ny prøve", "Svangerskapet og
bakgrunn"), nb, nn and en. Field names, tests and sections reuse card.* keys
(texts_card.py); only what those forms add is here."""


def _t(nb: str, nn: str, en: str) -> dict[str, str]:
    return {"nb": nb, "nn": nn, "en": en}


TEXTS: dict[str, dict[str, str]] = {
    # --- Shared ------------------------------------------------------------------------------
    "cforms.back": _t("Tilbake til helsekortet", "Tilbake til helsekortet",
                      "Back to the health card"),
    "cforms.whose": _t("Helsekortet til {name}", "Helsekortet til {name}",
                       "{name}'s health card"),
    "cforms.cancel": _t("Avbryt", "Avbryt", "Cancel"),
    "cforms.saving": _t("Lagrer …", "Lagrar …", "Saving …"),
    "cforms.not_stated": _t("Ikke oppgitt", "Ikkje oppgitt", "Not stated"),
    "cforms.errors_title": _t("Rett dette, så kan du lagre:", "Rett dette, så kan du lagre:",
                              "Correct these, then save:"),
    "cforms.stale": _t(
        "Noen andre lagret endringer mens du skrev, så ingenting ble lagret. Det du skrev "
        "står fortsatt her. Last inn på nytt for å se endringene deres, og skriv inn dine "
        "igjen.",
        "Nokon andre lagra endringar medan du skreiv, så ingenting vart lagra. Det du skreiv "
        "står framleis her. Last inn på nytt for å sjå endringane deira, og skriv inn dine "
        "igjen.",
        "Someone else saved changes while you were writing, so nothing was saved. What you "
        "wrote is still here. Reload to see their changes, then enter yours again."),
    "cforms.reload": _t("Last inn på nytt (det du skrev forsvinner)",
                        "Last inn på nytt (det du skreiv forsvinn)",
                        "Reload (what you wrote is discarded)"),
    "cforms.reason_hint": _t("Står i endringsloggen sammen med navnet ditt.",
                             "Står i endringsloggen saman med namnet ditt.",
                             "Shown in the change history with your name."),
    # --- Test results --------------------------------------------------------------------
    "cforms.lab.button": _t("Ny prøve", "Ny prøve", "New test result"),
    "cforms.lab.new": _t("Ny prøve", "Ny prøve", "New test result"),
    "cforms.lab.edit": _t("Rett prøvesvar", "Rett prøvesvar", "Correct a test result"),
    "cforms.lab.kind": _t("Prøve", "Prøve", "Test"),
    "cforms.lab.taken_on": _t("Dato prøven ble tatt", "Dato prøva vart teken", "Date taken"),
    "cforms.lab.value": _t("Svar", "Svar", "Result"),
    "cforms.lab.value_unit": _t("Svar ({unit})", "Svar ({unit})", "Result ({unit})"),
    "cforms.lab.number_hint": _t("Bare tallet, med komma eller punktum.",
                                 "Berre talet, med komma eller punktum.",
                                 "The number only, with a comma or a point."),
    "cforms.lab.choose_first": _t("Velg prøve først, så kommer feltet for svaret.",
                                  "Vel prøve først, så kjem feltet for svaret.",
                                  "Choose the test first; the result field follows."),
    "cforms.lab.save": _t("Lagre prøvesvaret", "Lagre prøvesvaret", "Save the test result"),
    "cforms.lab.saved": _t("Prøvesvaret er lagret.", "Prøvesvaret er lagra.",
                           "The test result has been saved."),
    "cforms.lab.correct_title": _t("Rett et prøvesvar", "Rett eit prøvesvar",
                                   "Correct a test result"),
    "cforms.lab.correct": _t("Rett", "Rett", "Correct"),
    "cforms.lab.none": _t("Ingen prøvesvar er registrert ennå.",
                          "Ingen prøvesvar er registrerte enno.",
                          "No test results recorded yet."),
    "cforms.lab.cancel_edit": _t("Avbryt rettingen", "Avbryt rettinga", "Cancel the correction"),
    # --- Pregnancy and background ------------------------------------------------------
    "cforms.preg.button": _t("Endre svangerskap og bakgrunn", "Endre svangerskap og bakgrunn",
                             "Edit pregnancy and background"),
    "cforms.preg.title": _t("Svangerskapet og bakgrunn", "Svangerskapet og bakgrunn",
                            "The pregnancy and background"),
    "cforms.preg.section.dating": _t("Termin", "Termin", "Due date"),
    "cforms.preg.section.pregnancy": _t("Dette svangerskapet", "Dette svangerskapet",
                                        "This pregnancy"),
    "cforms.preg.due_now": _t("Termin nå: {date}, satt etter {method}.",
                              "Termin no: {date}, sett etter {method}.",
                              "Due date now: {date}, set by {method}."),
    "cforms.preg.due_hint": _t("Terminen regnes ut når du lagrer.",
                               "Terminen blir rekna ut når du lagrar.",
                               "The due date is calculated when you save."),
    "cforms.preg.ultrasound": _t("Ultralyd", "Ultralyd", "Ultrasound"),
    "cforms.preg.ultrasound_hint": _t(
        "Skriv enten terminen fra ultralydrapporten, eller målingen (CRL eller BPD).",
        "Skriv anten terminen frå ultralydrapporten, eller målinga (CRL eller BPD).",
        "Enter either the due date from the scan report, or the measurement (CRL or BPD)."),
    "cforms.preg.us_report": _t("Termin fra ultralydrapporten", "Termin frå ultralydrapporten",
                                "Due date from the scan report"),
    "cforms.preg.scan_method": _t("Målemetode", "Målemetode", "Measurement method"),
    "cforms.preg.no_scan": _t("Ingen måling", "Inga måling", "No measurement"),
    "cforms.preg.crl": _t("CRL (uke 8–12)", "CRL (veke 8–12)", "CRL (weeks 8–12)"),
    "cforms.preg.bpd": _t("BPD (uke 12–22)", "BPD (veke 12–22)", "BPD (weeks 12–22)"),
    "cforms.preg.manual_hint": _t(
        "Bare når terminen er satt på en annen måte. Den overstyrer alt over.",
        "Berre når terminen er sett på ein annan måte. Han overstyrer alt over.",
        "Only when the due date was set another way. It overrides everything above."),
    "cforms.preg.ivf_hint": _t("Ved IVF gir dato for innsetting og embryoets alder terminen.",
                               "Ved IVF gir dato for innsetjing og alderen til embryoet "
                               "terminen.",
                               "With IVF, the transfer date and the embryo's age give the "
                               "due date."),
    "cforms.preg.bmi": _t("KMI før svangerskapet: {bmi}", "KMI før svangerskapet: {bmi}",
                          "BMI before pregnancy: {bmi}"),
    "cforms.preg.bmi_missing": _t("KMI regnes ut når høyde og vekt er fylt ut.",
                                  "KMI blir rekna ut når høgd og vekt er fylte ut.",
                                  "BMI is calculated when height and weight are filled in."),
    "cforms.preg.counts_hint": _t("Antall. La stå tomt hvis det ikke er spurt om.",
                                  "Tal. La stå tomt viss det ikkje er spurt om.",
                                  "How many. Leave empty if not asked."),
    "cforms.preg.save": _t("Lagre endringene", "Lagre endringane", "Save the changes"),
    "cforms.preg.saved": _t("Svangerskap og bakgrunn er lagret. Termin: {date}, satt etter "
                            "{method}.",
                            "Svangerskap og bakgrunn er lagra. Termin: {date}, sett etter "
                            "{method}.",
                            "Pregnancy and background saved. Due date: {date}, set by "
                            "{method}."),
    # --- A validation message this form needed (validation.validate_pregnancy) --------
    "card.error.ultrasound_twice": _t(
        "Skriv enten termin fra ultralydrapporten eller målingen, ikke begge.",
        "Skriv anten termin frå ultralydrapporten eller målinga, ikkje begge.",
        "Enter either the due date from the scan report or the measurement, not both."),
}
