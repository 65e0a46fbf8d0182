"""Typed API errors: each carries the HTTP status and the JSON body Apstra answers with."""


class ApiError(Exception):
    """An error answer: `status`, JSON `body` and extra response `headers`."""

    status = 500

    def __init__(self, body, status=None, headers=None):
        super().__init__(body)
        self.body = body
        if status is not None:
            self.status = status
        self.headers = headers or {}


class Unauthorized(ApiError):
    status = 401

    def __init__(self, message):
        super().__init__({"errors": message})


class NotFound(ApiError):
    status = 404

    def __init__(self, message):
        super().__init__({"errors": message})


class NotImplementedRoute(NotFound):
    def __init__(self, method, path):
        super().__init__("not implemented: %s %s" % (method, path))


class Conflict(ApiError):
    status = 409

    def __init__(self, message):
        super().__init__({"errors": message})


class Unprocessable(ApiError):
    """422: `errors` is a message string or a field -> message mapping (nested for batches)."""

    status = 422

    def __init__(self, errors):
        super().__init__({"errors": errors})


class BadRequest(ApiError):
    status = 400

    def __init__(self, message):
        super().__init__({"errors": message})
