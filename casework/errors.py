class DomainError(Exception):
    """A rule of the service said no. The message is for a person to read; `field` names the
    form field it is about (None: the form as a whole), so a view never guesses it from the
    text."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self):
        return str(self.message)


def form_add_domain_error(form, exc):
    """Put a DomainError on the field it names, or on the form when the form has no such
    field."""
    field = exc.field if exc.field in getattr(form, "fields", {}) else None
    form.add_error(field, exc.message)
