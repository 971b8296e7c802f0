"""Domain errors: raised by services, shown by pages as messages, mapped by the API to CBC codes."""


class DomainError(Exception):
    """A business rule refused the action. `message` is for people; `code` is the API's CBC code."""

    code = "CBC.99007004"
    status = 400

    def __init__(self, message, *, code=None, field=None, items=None):
        super().__init__(str(message))
        self.message = message
        if code is not None:
            self.code = code
        self.field = field
        self.items = items or []

    def __str__(self):
        return str(self.message)


class PermissionRefused(DomainError):
    code = "CBC.0151"
    status = 403


class NotFound(DomainError):
    code = "CBC.99000035"


class InvalidTransition(DomainError):
    """A workflow was asked to move from a state that does not allow it."""
