"""Page paths in one place."""

FRONT = "/"
HOME = "/hjem"
APPOINTMENTS = "/timer"
BOOK = "/bestill"
CARD = "/helsekort"
SHARE = "/helsekort/del"
BIRTH_PLAN = "/helsekort/onsker"  # Ønsker for fødselen
ACCESS_LOG = "/innsyn"
PERSONNEL_HOME = "/personell"  # I dag; "?dag=YYYY-MM-DD" for another day
PERSONNEL_SCHEDULE = "/personell/timeplan"
PERSONNEL_WEEK = "/personell/uke"  # "?uke=YYYY-MM-DD" (a Monday) for another week
ACCESSIBILITY = "/tilgjengelighet"
CARER_LIST = "/personell/gravide"
CARER_CARD = "/personell/helsekort"
CARER_LAB = "/personell/helsekort/prove"
CARER_PREGNANCY = "/personell/helsekort/svangerskap"
CARER_ENDING = "/personell/helsekort/avslutning"  # when the pregnancy ended
ACTIVATE = "/aktiver"  # the pupil types her nurse's code and makes a passkey; "?kode=" fills it
PERSONNEL_ACTIVATION = "/personell/aktivering"  # the nurse makes an activation code
PASSKEYS = "/innstillinger/passnokler"  # her passkeys: add, see, remove
MINID_HELP = "/minid"  # how to get MinID, in plain words
MESSAGES = "/meldinger"  # her conversations
MESSAGE_NEW = "/meldinger/ny"  # "?til=youth:3" picks the place
CONVERSATION = "/meldinger/samtale"  # "?id=N"
NOTIFY_SETTINGS = "/innstillinger/varsler"  # which channels tell her of a new message
INBOX = "/personell/meldinger"  # the place's inbox; "?sted=N" for another of her places
INBOX_CONVERSATION = "/personell/meldinger/samtale"  # "?id=N"
