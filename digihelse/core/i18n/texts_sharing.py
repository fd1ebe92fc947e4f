"""Texts for "Del med partner": giving, seeing and taking back a fullmakt to view the
pregnancy card, and choosing what is hidden. nb, nn and en."""


def _t(nb: str, nn: str, en: str) -> dict[str, str]:
    return {"nb": nb, "nn": nn, "en": en}


TEXTS: dict[str, dict[str, str]] = {
    # --- The card's link and the page -----------------------------------------------------
    "sharing.link": _t("Del med partner", "Del med partnar", "Share with your partner"),
    "sharing.title": _t("Del med partner", "Del med partnar", "Share with your partner"),
    "sharing.lead": _t(
        "Du kan la partneren din se helsekortet ditt. Du velger selv hva som er skjult, og "
        "du kan ta tilbake tilgangen når du vil.",
        "Du kan la partnaren din sjå helsekortet ditt. Du vel sjølv kva som er skjult, og du "
        "kan ta tilbake tilgangen når du vil.",
        "You can let your partner see your health card. You choose what is hidden, and you "
        "can take the access back whenever you like."),
    "sharing.to_card": _t("Gå til helsekortet", "Gå til helsekortet", "Go to the health card"),
    "sharing.no_card": _t("Du har ikke noe helsekort for gravide å dele.",
                          "Du har ikkje noko helsekort for gravide å dele.",
                          "You have no pregnancy health card to share."),
    # --- Who can see the card now ---------------------------------------------------------
    "sharing.now.title": _t("Hvem kan se helsekortet ditt", "Kven kan sjå helsekortet ditt",
                            "Who can see your health card"),
    "sharing.now.none": _t(
        "Ingen har fullmakt til å se helsekortet ditt nå. Bare du, jordmoren og legen din "
        "ser det.",
        "Ingen har fullmakt til å sjå helsekortet ditt no. Berre du, jordmora og legen din "
        "ser det.",
        "Nobody has a power of attorney to see your health card now. Only you, your midwife "
        "and your doctor see it."),
    "sharing.now.since": _t("Kan se helsekortet fra {date}", "Kan sjå helsekortet frå {date}",
                            "Can see the health card from {date}"),
    "sharing.now.until": _t("til og med {date}", "til og med {date}", "until {date}"),
    "sharing.now.open": _t("til du fjerner tilgangen", "til du fjernar tilgangen",
                           "until you remove the access"),
    "sharing.now.remove": _t("Fjern tilgang", "Fjern tilgang", "Remove access"),
    "sharing.now.remove_label": _t("Fjern tilgangen til {name}", "Fjern tilgangen til {name}",
                                   "Remove {name}'s access"),
    "sharing.confirm.text": _t(
        "Vil du fjerne tilgangen til {name}? Da kan {name} ikke se helsekortet ditt lenger.",
        "Vil du fjerne tilgangen til {name}? Då kan {name} ikkje sjå helsekortet ditt lenger.",
        "Remove {name}'s access? {name} will no longer be able to see your health card."),
    "sharing.confirm.yes": _t("Ja, fjern tilgangen", "Ja, fjern tilgangen",
                              "Yes, remove the access"),
    "sharing.confirm.no": _t("Avbryt", "Avbryt", "Cancel"),
    "sharing.removed": _t("{name} kan ikke lenger se helsekortet ditt.",
                          "{name} kan ikkje lenger sjå helsekortet ditt.",
                          "{name} can no longer see your health card."),
    # --- Giving a fullmakt ----------------------------------------------------------------
    "sharing.give.title": _t("Gi partneren din tilgang", "Gi partnaren din tilgang",
                             "Give your partner access"),
    "sharing.give.what": _t("Dette får partneren din:", "Dette får partnaren din:",
                            "What your partner gets:"),
    "sharing.give.view_only": _t(
        "Partneren kan se helsekortet og når du har time hos jordmoren, men ikke endre, "
        "bestille eller avbestille noe.",
        "Partnaren kan sjå helsekortet og når du har time hos jordmora, men ikkje endre, "
        "bestille eller avbestille noko.",
        "Your partner can see the health card and when you have an appointment with the "
        "midwife, but cannot change, book or cancel anything."),
    "sharing.give.hidden": _t(
        "Partneren ser ikke det du har skjult: deler av kortet, kontroller eller notater.",
        "Partnaren ser ikkje det du har skjult: delar av kortet, kontrollar eller notat.",
        "Your partner does not see what you have hidden: parts of the card, check-ups or "
        "notes."),
    "sharing.give.only_card": _t(
        "Fullmakten gjelder bare svangerskapet. Partneren ser ingen andre timer, og aldri "
        "noe fra helsesykepleier eller helsestasjon for ungdom.",
        "Fullmakta gjeld berre svangerskapet. Partnaren ser ingen andre timar, og aldri noko "
        "frå helsesjukepleiar eller helsestasjon for ungdom.",
        "The power of attorney covers the pregnancy only. Your partner sees no other "
        "appointments, and never anything from the school nurse or the youth health clinic."),
    "sharing.give.message": _t(
        "Partneren får en kort melding om å logge inn. Meldingen sier ingenting om helsen "
        "din.",
        "Partnaren får ei kort melding om å logge inn. Meldinga seier ingenting om helsa di.",
        "Your partner gets a short message to log in. It says nothing about your health."),
    "sharing.give.age": _t("Partneren må være 18 år eller eldre.",
                           "Partnaren må vere 18 år eller eldre.",
                           "Your partner must be 18 or older."),
    "sharing.give.nin": _t("Partnerens fødselsnummer (11 siffer)",
                           "Fødselsnummeret til partnaren (11 siffer)",
                           "Your partner's national identity number (11 digits)"),
    "sharing.give.until": _t("Til og med (valgfritt)", "Til og med (valfritt)",
                             "Until (optional)"),
    "sharing.give.until_hint": _t(
        "La feltet stå tomt hvis tilgangen skal gjelde til du fjerner den.",
        "La feltet stå tomt dersom tilgangen skal gjelde til du fjernar han.",
        "Leave it empty if the access should last until you remove it."),
    "sharing.give.button": _t("Gi tilgang", "Gi tilgang", "Give access"),
    "sharing.give.working": _t("Gir tilgang …", "Gir tilgang …", "Giving access …"),
    "sharing.given": _t("{name} kan nå se helsekortet ditt. Vi har sendt en melding.",
                        "{name} kan no sjå helsekortet ditt. Vi har sendt ei melding.",
                        "{name} can now see your health card. We have sent a message."),
    "sharing.updated": _t("Vi har endret sluttdatoen for {name}.",
                          "Vi har endra sluttdatoen for {name}.",
                          "We have changed the end date for {name}."),
    # --- Hiding sections ------------------------------------------------------------------
    "sharing.hide.title": _t("Velg hva som er skjult", "Vel kva som er skjult",
                             "Choose what is hidden"),
    "sharing.hide.intro": _t(
        "Kryss av for det partneren din ikke skal se. Jordmoren og legen din ser alt.",
        "Kryss av for det partnaren din ikkje skal sjå. Jordmora og legen din ser alt.",
        "Tick what your partner should not see. Your midwife and doctor see everything."),
    "sharing.hide.legend": _t("Skjult for partneren", "Skjult for partnaren",
                              "Hidden from your partner"),
    "sharing.hide.saved": _t("Lagret.", "Lagra.", "Saved."),
    "sharing.hide.checkups": _t(
        "Vil du skjule én kontroll? Trykk «Skjul for dem med fullmakt» under kontrollen på "
        "helsekortet.",
        "Vil du skjule éin kontroll? Trykk «Skjul for dei med fullmakt» under kontrollen på "
        "helsekortet.",
        "Want to hide a single check-up? Tap “Hide from those with power of attorney” under "
        "the check-up on the health card."),
    # --- Received -------------------------------------------------------------------------
    "sharing.received.title": _t("Helsekort du kan se", "Helsekort du kan sjå",
                                 "Health cards you can see"),
    "sharing.received.hint": _t("Velg personen i menyen «Du bruker DigiHelse for» øverst.",
                                "Vel personen i menyen «Du bruker DigiHelse for» øvst.",
                                "Choose the person in the “Using DigiHelse for” menu at the "
                                "top."),
    # --- Errors ---------------------------------------------------------------------------
    "sharing.error.generic": _t("Det gikk ikke. Prøv igjen.", "Det gjekk ikkje. Prøv igjen.",
                                "That did not work. Please try again."),
    "sharing.error.only_owner": _t(
        "Bare den helsekortet tilhører, kan dele det eller ta tilbake tilgangen.",
        "Berre den helsekortet høyrer til, kan dele det eller ta tilbake tilgangen.",
        "Only the person the health card belongs to can share it or take access back."),
    "sharing.error.nin_length": _t("Fødselsnummeret må ha 11 siffer.",
                                   "Fødselsnummeret må ha 11 siffer.",
                                   "The number must have 11 digits."),
    "sharing.error.nin_typo": _t(
        "Fødselsnummeret er ikke gyldig. Sjekk at alle sifrene er riktige.",
        "Fødselsnummeret er ikkje gyldig. Sjekk at alle sifra er rette.",
        "This number is not valid. Check that every digit is right."),
    "sharing.error.self": _t("Du kan ikke gi fullmakt til deg selv.",
                             "Du kan ikkje gi fullmakt til deg sjølv.",
                             "You cannot give a power of attorney to yourself."),
    "sharing.error.not_possible": _t(
        "Vi kan ikke gi fullmakt til dette fødselsnummeret. Sjekk at nummeret er riktig.",
        "Vi kan ikkje gi fullmakt til dette fødselsnummeret. Sjekk at nummeret er rett.",
        "We cannot give a power of attorney to this number. Check that it is right."),
    "sharing.error.giver_protected": _t(
        "Du har fortrolig adresse, og da kan du ikke gi fullmakt i DigiHelse.",
        "Du har fortruleg adresse, og då kan du ikkje gi fullmakt i DigiHelse.",
        "You have a confidential address, so you cannot give a power of attorney in "
        "DigiHelse."),
    "sharing.error.giver_too_young": _t("Du må være 16 år for å gi fullmakt.",
                                        "Du må vere 16 år for å gi fullmakt.",
                                        "You must be 16 to give a power of attorney."),
    "sharing.error.receiver_too_young": _t(
        "Den du gir fullmakt, må være 18 år eller eldre.",
        "Den du gir fullmakt, må vere 18 år eller eldre.",
        "The person you give a power of attorney must be 18 or older."),
    "sharing.error.start_in_past": _t("Startdatoen kan ikke være tilbake i tid.",
                                      "Startdatoen kan ikkje vere tilbake i tid.",
                                      "The start date cannot be in the past."),
    "sharing.error.end_in_past": _t("Sluttdatoen kan ikke være tilbake i tid.",
                                    "Sluttdatoen kan ikkje vere tilbake i tid.",
                                    "The end date cannot be in the past."),
    "sharing.error.end_before_start": _t("Sluttdatoen kan ikke være før startdatoen.",
                                         "Sluttdatoen kan ikkje vere før startdatoen.",
                                         "The end date cannot be before the start date."),
    "sharing.error.bad_date": _t("Skriv datoen som dd.mm.åååå.",
                                 "Skriv datoen som dd.mm.åååå.",
                                 "Write the date as dd.mm.yyyy."),
    "sharing.error.not_found": _t("Fant ikke denne fullmakten.", "Fann ikkje denne fullmakta.",
                                  "This power of attorney was not found."),
    # --- The access log ("Innsyn") --------------------------------------------------------
    "log.action.give": _t("ga", "gav", "gave"),
    "log.action.revoke": _t("tok tilbake", "tok tilbake", "took back"),
    "log.object.fullmakt": _t("fullmakt til helsekortet", "fullmakt til helsekortet",
                              "power of attorney for the health card"),
    "log.object.fullmakt_list": _t("oversikten over fullmakter", "oversikta over fullmakter",
                                   "the list of powers of attorney"),
}
