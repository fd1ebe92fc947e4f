"""The texts, one entry per key with nb, nn and en. Plain words, short sentences."""

TEXTS: dict[str, dict[str, str]] = {
    # The shell
    "app.name": {"nb": "DigiHelse", "nn": "DigiHelse", "en": "DigiHelse"},
    "shell.skip": {"nb": "Hopp til hovedinnholdet", "nn": "Hopp til hovudinnhaldet",
                   "en": "Skip to main content"},
    "shell.language": {"nb": "Språk", "nn": "Språk", "en": "Language"},
    "shell.acting_for": {"nb": "Du bruker DigiHelse for", "nn": "Du brukar DigiHelse for",
                         "en": "You are using DigiHelse for"},
    "shell.logout": {"nb": "Logg ut", "nn": "Logg ut", "en": "Log out"},
    "shell.quick_exit": {"nb": "Lukk", "nn": "Lukk", "en": "Close"},
    "shell.quick_exit_label": {"nb": "Lukk DigiHelse raskt", "nn": "Lukk DigiHelse raskt",
                               "en": "Leave DigiHelse quickly"},
    "nav.label": {"nb": "Hovedmeny", "nn": "Hovudmeny", "en": "Main menu"},
    "nav.home": {"nb": "Hjem", "nn": "Heim", "en": "Home"},
    "nav.appointments": {"nb": "Timer", "nn": "Timar", "en": "Appointments"},
    "nav.card": {"nb": "Helsekort", "nn": "Helsekort", "en": "Health card"},
    "nav.log": {"nb": "Innsyn", "nn": "Innsyn", "en": "Access log"},
    "footer.accessibility": {"nb": "Tilgjengelighetserklæring", "nn": "Tilgjengeerklæring",
                             "en": "Accessibility statement"},
    "footer.privacy": {"nb": "Personvern", "nn": "Personvern", "en": "Privacy"},
    # The front page
    "front.title": {"nb": "Helsestasjonen og helsesykepleieren på mobilen",
                    "nn": "Helsestasjonen og helsesjukepleiaren på mobilen",
                    "en": "Your health station and school nurse, on your phone"},
    "front.intro": {
        "nb": "Bestill time, følg opp barna dine og se helsekortet ditt når du er gravid. "
              "Alt på ett sted, trygt og enkelt.",
        "nn": "Bestill time, følg opp borna dine og sjå helsekortet ditt når du er gravid. "
              "Alt på éin stad, trygt og enkelt.",
        "en": "Book appointments, look after your children and see your pregnancy health "
              "card. All in one place, safe and simple.",
    },
    "front.login": {"nb": "Logg inn", "nn": "Logg inn", "en": "Log in"},
    "front.login_hint": {"nb": "Med MinID eller BankID", "nn": "Med MinID eller BankID",
                         "en": "With MinID or BankID"},
    "front.youth.title": {"nb": "Ungdom fra 12 år", "nn": "Ungdom frå 12 år",
                          "en": "Young people from 12"},
    "front.youth.text": {
        "nb": "Bestill time hos helsesykepleieren på skolen eller helsestasjon for ungdom. "
              "Foreldrene dine ser ikke timene dine.",
        "nn": "Bestill time hos helsesjukepleiaren på skulen eller helsestasjon for ungdom. "
              "Foreldra dine ser ikkje timane dine.",
        "en": "Book a time with the school nurse or the youth health clinic. "
              "Your parents cannot see your appointments.",
    },
    "front.family.title": {"nb": "Foreldre", "nn": "Foreldre", "en": "Parents"},
    "front.family.text": {
        "nb": "Se og endre timene til barna dine på helsestasjonen og i skolehelsetjenesten.",
        "nn": "Sjå og endre timane til borna dine på helsestasjonen og i skulehelsetenesta.",
        "en": "See and change your children's appointments at the health station and the "
              "school health service.",
    },
    "front.pregnant.title": {"nb": "Gravid", "nn": "Gravid", "en": "Pregnant"},
    "front.pregnant.text": {
        "nb": "Helsekortet ditt på mobilen: kontroller, målinger og dine egne notater.",
        "nn": "Helsekortet ditt på mobilen: kontrollar, målingar og dine eigne notat.",
        "en": "Your health card on your phone: check-ups, measurements and your own notes.",
    },
    "front.personnel": {"nb": "For helsepersonell: logg inn med HelseID",
                        "nn": "For helsepersonell: logg inn med HelseID",
                        "en": "For health personnel: log in with HelseID"},
    "front.services": {"nb": "Dette kan du gjøre her", "nn": "Dette kan du gjere her",
                       "en": "What you can do here"},
    # Home
    "home.hello": {"nb": "Hei, {name}", "nn": "Hei, {name}", "en": "Hi, {name}"},
    "home.loading": {"nb": "Henter opplysningene dine …", "nn": "Hentar opplysningane dine …",
                     "en": "Fetching your details …"},
    "personnel.title": {"nb": "I dag", "nn": "I dag", "en": "Today"},
    "personnel.hello": {"nb": "Hei, {name}", "nn": "Hei, {name}", "en": "Hi, {name}"},
    "personnel.hpr": {"nb": "HPR-nummer", "nn": "HPR-nummer", "en": "HPR number"},
    # Errors
    "error.not_found": {"nb": "Fant ikke siden", "nn": "Fann ikkje sida",
                        "en": "Page not found"},
    "error.back_home": {"nb": "Til forsiden", "nn": "Til framsida", "en": "To the front page"},
    # Login and logout (HTTP pages outside Reflex)
    "login.failed.title": {"nb": "Innloggingen virket ikke", "nn": "Innlogginga verka ikkje",
                           "en": "Login did not work"},
    "login.failed.retry": {"nb": "Prøv igjen", "nn": "Prøv igjen", "en": "Try again"},
    "login.failed.home": {"nb": "Til forsiden", "nn": "Til framsida", "en": "To the front page"},
    "login.failed.code": {"nb": "Feilkode", "nn": "Feilkode", "en": "Error code"},
    "login.failed.cancelled": {
        "nb": "Du avbrøt innloggingen. Ingenting er endret.",
        "nn": "Du avbraut innlogginga. Ingenting er endra.",
        "en": "You cancelled the login. Nothing has changed.",
    },
    "login.failed.expired": {
        "nb": "Innloggingen tok for lang tid, eller den ble startet i en annen fane. "
              "Start på nytt.",
        "nn": "Innlogginga tok for lang tid, eller ho vart starta i ei anna fane. "
              "Start på nytt.",
        "en": "The login took too long, or it was started in another tab. Please start again.",
    },
    "login.failed.level": {
        "nb": "Denne tjenesten krever et høyere sikkerhetsnivå. Logg inn med BankID.",
        "nn": "Denne tenesta krev eit høgare tryggleiksnivå. Logg inn med BankID.",
        "en": "This service needs a higher security level. Log in with BankID.",
    },
    "login.failed.not_personnel": {
        "nb": "Du er ikke registrert som helsepersonell i DigiHelse.",
        "nn": "Du er ikkje registrert som helsepersonell i DigiHelse.",
        "en": "You are not registered as health personnel in DigiHelse.",
    },
    "login.failed.unavailable": {
        "nb": "Vi får ikke kontakt med innloggingstjenesten akkurat nå. Prøv igjen om litt.",
        "nn": "Vi får ikkje kontakt med innloggingstenesta akkurat no. Prøv igjen om litt.",
        "en": "We cannot reach the login service right now. Please try again shortly.",
    },
    "login.failed.generic": {
        "nb": "Vi kunne ikke bekrefte hvem du er. Du er ikke logget inn.",
        "nn": "Vi kunne ikkje stadfeste kven du er. Du er ikkje logga inn.",
        "en": "We could not confirm who you are. You are not logged in.",
    },
    "logout.title": {"nb": "Du er logget ut", "nn": "Du er logga ut", "en": "You are logged out"},
    "logout.text": {
        "nb": "Takk for besøket. Lukk nettleseren hvis du bruker en delt mobil eller PC.",
        "nn": "Takk for besøket. Lukk nettlesaren viss du brukar ein delt mobil eller PC.",
        "en": "Thank you. Close the browser if you share this phone or computer.",
    },
    "logout.again": {"nb": "Logg inn igjen", "nn": "Logg inn igjen", "en": "Log in again"},
    "ended.title": {"nb": "Økten er avsluttet", "nn": "Økta er avslutta",
                    "en": "Your session has ended"},
    "ended.text": {
        "nb": "Du ble logget ut, eller du har ikke gjort noe på en stund. Ingenting er "
              "lagret i denne fanen. Logg inn igjen for å fortsette.",
        "nn": "Du vart logga ut, eller du har ikkje gjort noko på ei stund. Ingenting er "
              "lagra i denne fana. Logg inn igjen for å halde fram.",
        "en": "You were logged out, or you have not done anything for a while. Nothing "
              "is kept in this tab. Log in again to continue.",
    },
    # Accessibility statement (forskrift om universell utforming av IKT-løsninger)
    "a11y.title": {"nb": "Tilgjengelighetserklæring", "nn": "Tilgjengeerklæring",
                   "en": "Accessibility statement"},
    "a11y.intro": {
        "nb": "DigiHelse skal kunne brukes av alle. Tjenesten skal oppfylle kravene i WCAG 2.1 "
              "på nivå A og AA, slik forskrift om universell utforming av IKT-løsninger krever.",
        "nn": "DigiHelse skal kunne brukast av alle. Tenesta skal oppfylle krava i WCAG 2.1 "
              "på nivå A og AA, slik forskrift om universell utforming av IKT-løysingar krev.",
        "en": "Everyone should be able to use DigiHelse. The service aims to meet WCAG 2.1 "
              "levels A and AA, as the Norwegian regulation on universal design of ICT requires.",
    },
    "a11y.how.title": {"nb": "Slik jobber vi", "nn": "Slik jobbar vi", "en": "How we work"},
    "a11y.how.text": {
        "nb": "Hver side testes automatisk med axe-core på en mobilskjerm, med tastatur og "
              "med 200 % tekststørrelse. Sidene finnes på bokmål, nynorsk og engelsk.",
        "nn": "Kvar side vert testa automatisk med axe-core på ein mobilskjerm, med tastatur og "
              "med 200 % tekststorleik. Sidene finst på bokmål, nynorsk og engelsk.",
        "en": "Every page is tested automatically with axe-core on a phone screen, with a "
              "keyboard and at 200 % text size. The pages exist in bokmål, nynorsk and English.",
    },
    "a11y.report.title": {"nb": "Fant du noe som ikke virker?",
                          "nn": "Fann du noko som ikkje verkar?",
                          "en": "Found something that does not work?"},
    "a11y.report.text": {
        "nb": "Si fra til helsestasjonen eller skolehelsetjenesten i kommunen din, så retter "
              "vi det. Du kan også klage til Tilsynet for universell utforming av IKT "
              "(uutilsynet.no).",
        "nn": "Sei frå til helsestasjonen eller skulehelsetenesta i kommunen din, så rettar vi "
              "det. Du kan òg klage til Tilsynet for universell utforming av IKT (uutilsynet.no).",
        "en": "Tell your municipality's health station or school health service and we will fix "
              "it. You can also complain to the Norwegian Digitalisation Agency's authority for "
              "universal design of ICT (uutilsynet.no).",
    },
    # Notices before an age change (12 and 16)
    "notice.self.12": {
        "nb": "Du fyller 12 år {date}. Da kan du selv bestille time hos helsesykepleieren og "
              "helsestasjon for ungdom. Foreldrene dine ser ikke de timene.",
        "nn": "Du fyller 12 år {date}. Då kan du sjølv bestille time hos helsesjukepleiaren og "
              "helsestasjon for ungdom. Foreldra dine ser ikkje dei timane.",
        "en": "You turn 12 on {date}. Then you can book the school nurse and the youth health "
              "clinic yourself. Your parents cannot see those appointments.",
    },
    "notice.self.16": {
        "nb": "Du fyller 16 år {date}. Da bestemmer du selv over helsen din, og foreldrene "
              "dine ser ikke lenger timene dine.",
        "nn": "Du fyller 16 år {date}. Då bestemmer du sjølv over helsa di, og foreldra dine "
              "ser ikkje lenger timane dine.",
        "en": "You turn 16 on {date}. Then you decide about your own health, and your parents "
              "can no longer see your appointments.",
    },
    "notice.parent.12": {
        "nb": "{name} fyller 12 år {date}. Da kan du fortsatt se timene på helsestasjonen, men "
              "ikke sende meldinger for {name}. Timer {name} bestiller selv hos "
              "helsesykepleieren, ser du ikke.",
        "nn": "{name} fyller 12 år {date}. Då kan du framleis sjå timane på helsestasjonen, "
              "men ikkje sende meldingar for {name}. Timar {name} bestiller sjølv hos "
              "helsesjukepleiaren, ser du ikkje.",
        "en": "{name} turns 12 on {date}. You can still see health station appointments, but "
              "not send messages for {name}. You will not see appointments {name} books with "
              "the school nurse.",
    },
    "notice.parent.16": {
        "nb": "{name} fyller 16 år {date}. Da bestemmer {name} selv over sin egen helse, og du "
              "ser ikke lenger timene til {name} i DigiHelse.",
        "nn": "{name} fyller 16 år {date}. Då bestemmer {name} sjølv over si eiga helse, og du "
              "ser ikkje lenger timane til {name} i DigiHelse.",
        "en": "{name} turns 16 on {date}. Then {name} decides about their own health, and you "
              "will no longer see {name}'s appointments in DigiHelse.",
    },
    "notice.sms": {
        "nb": "Du har en ny melding i DigiHelse. Logg inn for å lese den.",
        "nn": "Du har ei ny melding i DigiHelse. Logg inn for å lese ho.",
        "en": "You have a new message in DigiHelse. Log in to read it.",
    },
    # Acting for someone else
    "acting.self": {"nb": "{name} (deg selv)", "nn": "{name} (deg sjølv)",
                    "en": "{name} (yourself)"},
    "acting.child": {"nb": "{name}, {age} år – {level}", "nn": "{name}, {age} år – {level}",
                     "en": "{name}, {age} – {level}"},
    "acting.level.full": {"nb": "full tilgang", "nn": "full tilgang", "en": "full access"},
    "acting.level.limited": {"nb": "begrenset innsyn", "nn": "avgrensa innsyn",
                             "en": "limited access"},
    "acting.level.proxy": {"nb": "fullmakt", "nn": "fullmakt", "en": "power of attorney"},
    "acting.explain.full": {
        "nb": "Du kan se, bestille og avbestille timer for {name} på helsestasjonen og i "
              "skolehelsetjenesten.",
        "nn": "Du kan sjå, bestille og avbestille timar for {name} på helsestasjonen og i "
              "skulehelsetenesta.",
        "en": "You can see, book and cancel {name}'s appointments at the health station and "
              "the school health service.",
    },
    "acting.explain.limited": {
        "nb": "Begrenset innsyn: Du ser timene til {name} på helsestasjonen, men du kan ikke "
              "sende meldinger, og du ser ikke det {name} gjør i ungdomstjenesten.",
        "nn": "Avgrensa innsyn: Du ser timane til {name} på helsestasjonen, men du kan ikkje "
              "sende meldingar, og du ser ikkje det {name} gjer i ungdomstenesta.",
        "en": "Limited access: you see {name}'s health station appointments, but you cannot "
              "send messages, and you do not see what {name} does in the youth service.",
    },
    "acting.explain.proxy": {
        "nb": "Du har fullmakt fra {name} til å se det {name} har valgt å dele.",
        "nn": "Du har fullmakt frå {name} til å sjå det {name} har valt å dele.",
        "en": "{name} has given you power of attorney to see what {name} chose to share.",
    },
    "acting.switch": {"nb": "Bytt", "nn": "Byt", "en": "Switch"},
    "access.denied": {
        "nb": "Dette har du ikke tilgang til.",
        "nn": "Dette har du ikkje tilgang til.",
        "en": "You do not have access to this.",
    },
    # The access log ("Hvem har sett opplysningene mine")
    "log.title": {"nb": "Hvem har sett opplysningene mine",
                  "nn": "Kven har sett opplysningane mine", "en": "Who has seen my information"},
    "log.title_for": {"nb": "Hvem har sett opplysningene til {name}",
                      "nn": "Kven har sett opplysningane til {name}",
                      "en": "Who has seen {name}'s information"},
    "log.intro": {
        "nb": "Her ser du hvem som har sett eller endret opplysninger om helsen din i DigiHelse, "
              "og når. Du har rett til å vite dette (pasientjournalloven § 18).",
        "nn": "Her ser du kven som har sett eller endra opplysningar om helsa di i DigiHelse, "
              "og når. Du har rett til å vite dette (pasientjournallova § 18).",
        "en": "Here you see who has seen or changed information about your health in "
              "DigiHelse, and when. You have a right to know (Patient Records Act § 18).",
    },
    "log.empty": {"nb": "Ingen har sett opplysningene ennå.",
                  "nn": "Ingen har sett opplysningane enno.",
                  "en": "Nobody has seen the information yet."},
    "log.you": {"nb": "Du", "nn": "Du", "en": "You"},
    "log.system": {"nb": "DigiHelse (automatisk)", "nn": "DigiHelse (automatisk)",
                   "en": "DigiHelse (automatic)"},
    "log.action.read": {"nb": "så", "nn": "såg", "en": "viewed"},
    "log.action.create": {"nb": "la til", "nn": "la til", "en": "added"},
    "log.action.update": {"nb": "endret", "nn": "endra", "en": "changed"},
    "log.action.delete": {"nb": "slettet", "nn": "sletta", "en": "deleted"},
    "log.action.book": {"nb": "bestilte", "nn": "bestilte", "en": "booked"},
    "log.action.cancel": {"nb": "avbestilte", "nn": "avbestilte", "en": "cancelled"},
    "log.action.login": {"nb": "logget inn", "nn": "logga inn", "en": "logged in"},
    "log.action.logout": {"nb": "logget ut", "nn": "logga ut", "en": "logged out"},
    "log.action.other": {"nb": "brukte", "nn": "brukte", "en": "used"},
    "log.object.appointment": {"nb": "timer", "nn": "timar", "en": "appointments"},
    "log.object.booking": {"nb": "en time", "nn": "ein time", "en": "an appointment"},
    "log.object.pregnancy_record": {"nb": "helsekortet", "nn": "helsekortet",
                                    "en": "the health card"},
    "log.object.access_log": {"nb": "tilgangsloggen", "nn": "tilgangsloggen",
                              "en": "the access log"},
    "log.object.session": {"nb": "DigiHelse", "nn": "DigiHelse", "en": "DigiHelse"},
    "log.object.other": {"nb": "opplysninger", "nn": "opplysningar", "en": "information"},
    "log.object.consultation": {"nb": "en kontroll på helsekortet",
                                "nn": "ein kontroll på helsekortet",
                                "en": "a check-up on the health card"},
    "log.object.lab_result": {"nb": "et prøvesvar på helsekortet",
                              "nn": "eit prøvesvar på helsekortet",
                              "en": "a test result on the health card"},
    "log.object.own_note": {"nb": "et notat på helsekortet", "nn": "eit notat på helsekortet",
                            "en": "a note on the health card"},
    "log.object.history": {"nb": "endringsloggen til helsekortet",
                           "nn": "endringsloggen til helsekortet",
                           "en": "the health card's change log"},
    "log.object.pregnancy_list": {"nb": "helsekortet i listen over sine gravide",
                                  "nn": "helsekortet i lista over sine gravide",
                                  "en": "the health card in their list of pregnant women"},
    "log.object.patient": {"nb": "personopplysningene", "nn": "personopplysningane",
                           "en": "the personal details"},
    "log.denied": {"nb": "fikk ikke tilgang", "nn": "fekk ikkje tilgang",
                   "en": "was refused access"},
    "log.via": {"nb": "via", "nn": "via", "en": "via"},
    "role.citizen": {"nb": "innbygger", "nn": "innbyggjar", "en": "citizen"},
    "role.school_nurse": {"nb": "helsesykepleier", "nn": "helsesjukepleiar",
                          "en": "school nurse"},
    "role.midwife": {"nb": "jordmor", "nn": "jordmor", "en": "midwife"},
    "role.gp": {"nb": "fastlege", "nn": "fastlege", "en": "GP"},
    "role.parent": {"nb": "forelder", "nn": "forelder", "en": "parent"},
    # Booking, the pupil's side
    "book.card.title": {"nb": "Bestill time hos helsesykepleier",
                        "nn": "Bestill time hos helsesjukepleiar",
                        "en": "Book the school nurse"},
    "book.card.nurse": {"nb": "Helsesykepleier {name}", "nn": "Helsesjukepleiar {name}",
                        "en": "School nurse {name}"},
    "book.dropin": {"nb": "Åpen dør {when}", "nn": "Open dør {when}",
                    "en": "Drop-in hours {when}"},
    "book.dropin.today": {"nb": "i dag", "nn": "i dag", "en": "today"},
    "book.title": {"nb": "Velg en ledig time", "nn": "Vel ein ledig time",
                   "en": "Choose a free time"},
    "book.where": {"nb": "Hvor vil du gå?", "nn": "Kvar vil du gå?", "en": "Where?"},
    "book.prev_week": {"nb": "Forrige uke", "nn": "Førre veke", "en": "Previous week"},
    "book.next_week": {"nb": "Neste uke", "nn": "Neste veke", "en": "Next week"},
    "book.no_times": {
        "nb": "Ingen ledige timer denne uken. Prøv neste uke, eller kom innom på åpen dør.",
        "nn": "Ingen ledige timar denne veka. Prøv neste veke, eller kom innom på open dør.",
        "en": "No free times this week. Try next week, or come by during drop-in hours.",
    },
    "book.confirm.title": {"nb": "Bekreft timen", "nn": "Stadfest timen",
                           "en": "Confirm the appointment"},
    "book.confirm.topic": {"nb": "Vil du si noe om hva det gjelder? (valgfritt)",
                           "nn": "Vil du seie noko om kva det gjeld? (valfritt)",
                           "en": "Would you like to say what it is about? (optional)"},
    "book.confirm.note": {"nb": "Skriv noen ord til helsesykepleieren (valgfritt)",
                          "nn": "Skriv nokre ord til helsesjukepleiaren (valfritt)",
                          "en": "A few words for the school nurse (optional)"},
    "book.confirm.button": {"nb": "Bekreft", "nn": "Stadfest", "en": "Confirm"},
    "book.confirm.back": {"nb": "Velg en annen tid", "nn": "Vel ei anna tid",
                          "en": "Choose another time"},
    "book.private": {"nb": "Foreldrene dine kan ikke se denne timen.",
                     "nn": "Foreldra dine kan ikkje sjå denne timen.",
                     "en": "Your parents cannot see this appointment."},
    "book.done.title": {"nb": "Timen er bestilt", "nn": "Timen er bestilt",
                        "en": "Your appointment is booked"},
    "book.done.calendar": {"nb": "Legg i kalenderen", "nn": "Legg i kalenderen",
                           "en": "Add to calendar"},
    "book.done.change": {"nb": "Avbestill eller endre", "nn": "Avbestill eller endre",
                         "en": "Cancel or change"},
    "book.card.midwife": {"nb": "Jordmor {name}", "nn": "Jordmor {name}",
                          "en": "Midwife {name}"},
    "book.preg.title": {"nb": "Bestill time: {visit}", "nn": "Bestill time: {visit}",
                        "en": "Book a time: {visit}"},
    "book.preg.note": {"nb": "Noe du vil ta opp? (valgfritt)",
                       "nn": "Noko du vil ta opp? (valfritt)",
                       "en": "Anything you would like to bring up? (optional)"},
    "book.preg.note_hint": {"nb": "Jordmoren din ser dette før timen.",
                            "nn": "Jordmora di ser dette før timen.",
                            "en": "Your midwife sees this before the appointment."},
    "book.preg.back": {"nb": "Tilbake til helsekortet", "nn": "Tilbake til helsekortet",
                       "en": "Back to the health card"},
    "book.taken": {"nb": "Noen rakk å ta denne timen. Her er de nærmeste ledige:",
                   "nn": "Nokon rakk å ta denne timen. Her er dei næraste ledige:",
                   "en": "Someone just took this time. Here are the nearest free ones:"},
    "book.working": {"nb": "Bestiller …", "nn": "Bestiller …", "en": "Booking …"},
    "topic.body_health": {"nb": "Kropp og helse", "nn": "Kropp og helse",
                          "en": "Body and health"},
    "topic.feelings": {"nb": "Følelser", "nn": "Kjensler", "en": "Feelings"},
    "topic.friends_family": {"nb": "Venner og familie", "nn": "Venner og familie",
                             "en": "Friends and family"},
    "topic.contraception": {"nb": "Prevensjon", "nn": "Prevensjon", "en": "Contraception"},
    "topic.other": {"nb": "Annet", "nn": "Anna", "en": "Other"},
    "appts.title": {"nb": "Timene dine", "nn": "Timane dine", "en": "Your appointments"},
    "appts.title_for": {"nb": "Timene til {name}", "nn": "Timane til {name}",
                        "en": "{name}'s appointments"},
    "appts.upcoming": {"nb": "Kommende", "nn": "Komande", "en": "Upcoming"},
    "appts.past": {"nb": "Tidligere", "nn": "Tidlegare", "en": "Past"},
    "appts.none": {"nb": "Ingen timer.", "nn": "Ingen timar.", "en": "No appointments."},
    "appts.cancel": {"nb": "Avbestill", "nn": "Avbestill", "en": "Cancel"},
    "appts.move": {"nb": "Endre tid", "nn": "Endre tid", "en": "Change time"},
    "appts.cancelled": {"nb": "Avbestilt", "nn": "Avbestilt", "en": "Cancelled"},
    "appts.cancel_confirm": {"nb": "Vil du avbestille timen?", "nn": "Vil du avbestille timen?",
                             "en": "Cancel this appointment?"},
    "appts.cancel_yes": {"nb": "Ja, avbestill", "nn": "Ja, avbestill", "en": "Yes, cancel"},
    "appts.cancel_no": {"nb": "Nei, behold timen", "nn": "Nei, behald timen",
                        "en": "No, keep it"},
    "appts.was_cancelled": {"nb": "Timen er avbestilt.", "nn": "Timen er avbestilt.",
                            "en": "The appointment is cancelled."},
    "appts.too_late": {
        "nb": "Det er for sent å avbestille på nett. Ring helsesykepleieren.",
        "nn": "Det er for seint å avbestille på nett. Ring helsesjukepleiaren.",
        "en": "It is too late to cancel online. Please call the school nurse.",
    },
    "status.booked": {"nb": "Bestilt", "nn": "Bestilt", "en": "Booked"},
    "status.attended": {"nb": "Møtt", "nn": "Møtt", "en": "Attended"},
    "status.no_show": {"nb": "Ikke møtt", "nn": "Ikkje møtt", "en": "Did not attend"},
    "status.cancelled": {"nb": "Avbestilt", "nn": "Avbestilt", "en": "Cancelled"},
    # Representation: levels and reasons (digihelse.access.policy.explanation_keys)
    "access.level.full": {"nb": "full tilgang", "nn": "full tilgang", "en": "full access"},
    "access.level.limited": {"nb": "begrenset innsyn", "nn": "avgrensa innsyn",
                             "en": "limited access"},
    "access.level.none": {"nb": "ingen tilgang", "nn": "ingen tilgang", "en": "no access"},
    "access.reason.too_young": {
        "nb": 'Du er for ung til å bruke denne tjenesten selv ennå.',
        "nn": 'Du er for ung til å bruke denne tenesta sjølv enno.',
        "en": 'You are too young to use this service yourself yet.',
    },
    "access.reason.child_too_old": {
        "nb": 'Barnet er 16 år eller eldre og bestemmer selv over sin helse.',
        "nn": 'Barnet er 16 år eller eldre og bestemmer sjølv over si helse.',
        "en": 'The child is 16 or older and decides about their own health.',
    },
    "access.reason.child_teen": {
        "nb": 'Barnet er over 12 år, så du har bare begrenset innsyn.',
        "nn": 'Barnet er over 12 år, så du har berre avgrensa innsyn.',
        "en": 'The child is over 12, so you have limited access only.',
    },
    "access.reason.no_parental_responsibility": {
        "nb": 'Du står ikke registrert med foreldreansvar for barnet.',
        "nn": 'Du står ikkje registrert med foreldreansvar for barnet.',
        "en": 'You are not registered with parental responsibility for the child.',
    },
    "access.reason.no_parent_at_address": {
        "nb": 'Ingen av foreldrene med foreldreansvar er registrert på barnets adresse.',
        "nn": 'Ingen av foreldra med foreldreansvar er registrerte på adressa til barnet.',
        "en": "No parent with parental responsibility is registered at the child's address.",
    },
    "access.reason.confidential_address": {
        "nb": 'Dette kan ikke gjøres for personer med fortrolig adresse.',
        "nn": 'Dette kan ikkje gjerast for personar med fortruleg adresse.',
        "en": 'This is not possible for people with a confidential address.',
    },
    "access.reason.youth_service_personal": {
        "nb": 'Det ungdom gjør i ungdomstjenesten, er bare deres eget.',
        "nn": 'Det ungdom gjer i ungdomstenesta, er berre deira eige.',
        "en": 'What young people do in the youth service is theirs alone.',
    },
    "access.reason.card_personal": {
        "nb": 'Helsekortet er personlig og vises ikke til foreldre.',
        "nn": 'Helsekortet er personleg og blir ikkje vist til foreldre.',
        "en": 'The health card is personal and is not shown to parents.',
    },
    "access.reason.fullmakt_scope": {
        "nb": 'Fullmakten gjelder ikke denne tjenesten.',
        "nn": 'Fullmakta gjeld ikkje denne tenesta.',
        "en": 'The power of attorney does not cover this service.',
    },
    "access.reason.fullmakt_not_yet_valid": {
        "nb": 'Fullmakten gjelder ikke ennå.',
        "nn": 'Fullmakta gjeld ikkje enno.',
        "en": 'The power of attorney is not valid yet.',
    },
    "access.reason.fullmakt_expired": {
        "nb": 'Fullmakten har gått ut.',
        "nn": 'Fullmakta har gått ut.',
        "en": 'The power of attorney has expired.',
    },
    "access.reason.fullmakt_revoked": {
        "nb": 'Fullmakten er trukket tilbake.',
        "nn": 'Fullmakta er trekt tilbake.',
        "en": 'The power of attorney has been withdrawn.',
    },
    "access.reason.giver_too_young": {
        "nb": 'Den som gir fullmakt, må være minst 16 år.',
        "nn": 'Den som gir fullmakt, må vere minst 16 år.',
        "en": 'The person giving power of attorney must be at least 16.',
    },
    "access.reason.receiver_too_young": {
        "nb": 'Den som får fullmakt, må være minst 18 år.',
        "nn": 'Den som får fullmakt, må vere minst 18 år.',
        "en": 'The person receiving power of attorney must be at least 18.',
    },
    "access.reason.view_only": {
        "nb": 'Du kan se, men ikke endre.',
        "nn": 'Du kan sjå, men ikkje endre.',
        "en": 'You can view, but not change.',
    },
    "access.reason.no_care_relation": {
        "nb": 'Du har ikke et behandlingsforhold til denne personen.',
        "nn": 'Du har ikkje eit behandlingsforhold til denne personen.',
        "en": 'You have no care relationship with this person.',
    },
    "access.reason.role_not_permitted": {
        "nb": 'Rollen din gir ikke tilgang til dette.',
        "nn": 'Rolla di gir ikkje tilgang til dette.',
        "en": 'Your role does not give access to this.',
    },
    "access.reason.no_relation": {
        "nb": 'Du kan ikke handle på vegne av denne personen.',
        "nn": 'Du kan ikkje handle på vegner av denne personen.',
        "en": 'You cannot act on behalf of this person.',
    },
    "access.reason.unknown_person": {
        "nb": 'Vi finner ikke personen.',
        "nn": 'Vi finn ikkje personen.',
        "en": 'We cannot find the person.',
    },
    "access.reason.action_not_allowed": {
        "nb": 'Dette har du ikke tilgang til.',
        "nn": 'Dette har du ikkje tilgang til.',
        "en": 'You do not have access to this.',
    },
    "booking.error.generic": {
        "nb": 'Noe gikk galt. Timen er ikke endret. Prøv igjen.',
        "nn": 'Noko gjekk gale. Timen er ikkje endra. Prøv igjen.',
        "en": 'Something went wrong. Nothing was changed. Please try again.',
    },
    "booking.error.invalid_schedule": {
        "nb": 'Timeplanen har en feil. Sjekk tidene og prøv igjen.',
        "nn": 'Timeplanen har ein feil. Sjekk tidene og prøv igjen.',
        "en": 'The schedule has an error. Check the times and try again.',
    },
    "booking.error.invalid_transition": {
        "nb": 'Timen kan ikke endres slik nå.',
        "nn": 'Timen kan ikkje endrast slik no.',
        "en": 'The appointment cannot be changed like that now.',
    },
    "booking.error.limit_reached": {
        "nb": "Du har allerede to timer som ikke er brukt. Avbestill en av dem først, eller vent "
              "til etter timen.",
        "nn": "Du har allereie to timar som ikkje er brukte. Avbestill ein av dei først, eller "
              "vent til etter timen.",
        "en": "You already have two upcoming appointments. Cancel one first, or wait until after "
              "it.",
    },
    "booking.error.not_found": {
        "nb": 'Vi finner ikke timen.',
        "nn": 'Vi finn ikkje timen.',
        "en": 'We cannot find the appointment.',
    },
    "booking.error.reason_required": {
        "nb": 'Skriv en kort grunn. Eleven får se den.',
        "nn": 'Skriv ein kort grunn. Eleven får sjå han.',
        "en": 'Write a short reason. The pupil will see it.',
    },
    "booking.error.slot_booked": {
        "nb": 'Tiden har en bestilt time. Avlys timen først.',
        "nn": 'Tida har ein bestilt time. Avlys timen først.',
        "en": 'This time has a booking. Cancel the booking first.',
    },
    "booking.error.slot_taken": {
        "nb": 'Noen rakk å ta denne timen.',
        "nn": 'Nokon rakk å ta denne timen.',
        "en": 'Someone just took this time.',
    },
    "booking.error.slot_unavailable": {
        "nb": 'Denne tiden er ikke ledig lenger. Velg en annen.',
        "nn": 'Denne tida er ikkje ledig lenger. Vel ei anna.',
        "en": 'This time is no longer available. Please choose another.',
    },
    "booking.error.too_late": {
        "nb": 'Det er for sent å endre denne timen på nett.',
        "nn": 'Det er for seint å endre denne timen på nett.',
        "en": 'It is too late to change this appointment online.',
    },
    "booking.error.cancel_notice": {
        "nb": 'Det er for sent å avbestille på nett. Ring helsesykepleieren.',
        "nn": 'Det er for seint å avbestille på nett. Ring helsesjukepleiaren.',
        "en": 'It is too late to cancel online. Please call the school nurse.',
    },
    "booking.error.min_notice": {
        "nb": 'Denne tiden er for nær. Velg en senere tid.',
        "nn": 'Denne tida er for nær. Vel ei seinare tid.',
        "en": 'This time is too soon. Please choose a later one.',
    },
    "booking.error.not_your_place": {
        "nb": 'Du kan bare bestille hos din skole eller helsestasjon for ungdom.',
        "nn": 'Du kan berre bestille hos skulen din eller helsestasjon for ungdom.',
        "en": 'You can only book at your own school or the youth health clinic.',
    },
    "booking.error.note_too_long": {
        "nb": 'Teksten er for lang. Skriv kortere, høyst 1000 tegn.',
        "nn": 'Teksten er for lang. Skriv kortare, høgst 1000 teikn.',
        "en": 'The text is too long. Please keep it under 1000 characters.',
    },
    "booking.error.past": {
        "nb": 'Denne tiden har vært. Velg en ny.',
        "nn": 'Denne tida har vore. Vel ei ny.',
        "en": 'This time has passed. Please choose a new one.',
    },
    "booking.visibility.basic": {
        "nb": 'Foreldre med foreldreansvar kan se denne timen.',
        "nn": 'Foreldre med foreldreansvar kan sjå denne timen.',
        "en": 'Parents with parental responsibility can see this appointment.',
    },
    "booking.visibility.reserved": {
        "nb": 'Helsesykepleieren har skjermet denne timen for foreldre.',
        "nn": 'Helsesjukepleiaren har skjerma denne timen for foreldre.',
        "en": 'The school nurse has hidden this appointment from parents.',
    },
    "booking.visibility.pregnancy": {
        "nb": 'Bare du og jordmoren din ser denne timen.',
        "nn": 'Berre du og jordmora di ser denne timen.',
        "en": 'Only you and your midwife can see this appointment.',
    },
    "booking.visibility.pregnancy_shared": {
        "nb": 'Du, jordmoren din og den du har gitt fullmakt, ser denne timen.',
        "nn": 'Du, jordmora di og den du har gjeve fullmakt, ser denne timen.',
        "en": 'You, your midwife and the person you gave power of attorney can see this '
              'appointment.',
    },
    "booking.visibility.pregnancy_proxy": {
        "nb": 'Du ser denne timen fordi hun har gitt deg fullmakt. Bare hun kan endre den.',
        "nn": 'Du ser denne timen fordi ho har gjeve deg fullmakt. Berre ho kan endre han.',
        "en": 'You see this appointment because she gave you power of attorney. Only she '
              'can change it.',
    },
    "booking.error.not_her_midwife": {
        "nb": 'Du kan bare bestille time hos jordmoren som står på helsekortet ditt.',
        "nn": 'Du kan berre bestille time hos jordmora som står på helsekortet ditt.',
        "en": 'You can only book the midwife named on your health card.',
    },
    "booking.visibility.youth": {
        "nb": 'Foreldrene dine kan ikke se denne timen.',
        "nn": 'Foreldra dine kan ikkje sjå denne timen.',
        "en": 'Your parents cannot see this appointment.',
    },
    "home.next": {"nb": "Neste timer", "nn": "Neste timar", "en": "Next appointments"},
    "home.all_appointments": {"nb": "Se alle timer", "nn": "Sjå alle timar",
                              "en": "See all appointments"},
    "home.other_place": {"nb": "Eller: {name}", "nn": "Eller: {name}", "en": "Or: {name}"},
    "home.no_upcoming": {"nb": "Du har ingen timer framover.",
                         "nn": "Du har ingen timar framover.",
                         "en": "You have no upcoming appointments."},
    "home.no_upcoming_for": {"nb": "{name} har ingen timer framover.",
                             "nn": "{name} har ingen timar framover.",
                             "en": "{name} has no upcoming appointments."},
    "home.messages": {"nb": "Til deg", "nn": "Til deg", "en": "For you"},
    "time.at": {"nb": "kl.", "nn": "kl.", "en": "at"},
    "home.choose_child": {
        "nb": "Du kan også bruke DigiHelse for barna dine. Velg hvem du bruker DigiHelse for "
              "øverst på siden.",
        "nn": "Du kan òg bruke DigiHelse for borna dine. Vel kven du brukar DigiHelse for "
              "øvst på sida.",
        "en": "You can also use DigiHelse for your children. Choose whom at the top of the page.",
    },
}
