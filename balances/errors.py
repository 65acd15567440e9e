"""The Saldo API's error answers: the contract's status codes and their published titles."""

TITLES = {
    400: "One or more headers are invalid",
    401: "Authorization token is invalid",
    403: "Consent token is invalid",
    404: "Requested PSU_ID does not exist",
    405: "Method not allowed",
    429: "Too busy",
    500: "Unknown error. Contact support if the error persists",
}


class ApiError(Exception):
    """A call refused with ``status``. ``detail`` says why, to the bank and in the lookup log.

    ``log_detail`` replaces ``detail`` in the log where the bank is told less; ``retry_after``
    (seconds) goes with 429.
    """

    def __init__(self, status: int, detail: str = "", *, retry_after: int | None = None,
                 log_detail: str = ""):
        super().__init__(detail or TITLES.get(status, ""))
        self.status = status
        self.detail = detail
        self.retry_after = retry_after
        self.log_detail = log_detail

    @property
    def title(self) -> str:
        return TITLES.get(self.status, TITLES[500])
