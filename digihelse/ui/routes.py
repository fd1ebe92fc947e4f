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
ACTIVATE = "/aktiver"  # the pupil types her nurse's code and makes a passkey; "?kode=" fills it
PERSONNEL_ACTIVATION = "/personell/aktivering"  # the nurse makes an activation code
PASSKEYS = "/innstillinger/passnokler"  # her passkeys: add, see, remove
MINID_HELP = "/minid"  # how to get MinID, in plain words
