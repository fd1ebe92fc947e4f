"""The one base of every refusal a service raises, so pages and the API can turn any of
them into a friendly message (`message_key`) or a status (`code`) the same way."""


class ServiceError(Exception):
    code = "service_error"
    message_key = "access.denied"
