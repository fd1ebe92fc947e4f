"""Page paths in one place."""

FRONT = "/"
HOME = "/hjem"
APPOINTMENTS = "/timer"
CARD = "/helsekort"
ACCESS_LOG = "/innsyn"
PERSONNEL_HOME = "/personell"
ACCESSIBILITY = "/tilgjengelighet"
