class DomainError(Exception):
    """A rule of the service said no. The message is for a person to read."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return str(self.message)
