"""Every HTTP route beside the Reflex pages: health, login, calendar files and FHIR."""
