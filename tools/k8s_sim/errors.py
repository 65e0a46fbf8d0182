"""Typed API errors; each renders as the `Status` object a real kube-apiserver returns."""


class ApiError(Exception):
    """An error answered with HTTP `code` and a `Status` body."""

    def __init__(self, code, reason, message, details=None):
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details

    def status(self):
        body = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }
        if self.details:
            body["details"] = self.details
        return body


def _details(resource, name):
    details = {"kind": resource.plural}
    if name:
        details["name"] = name
    if resource.group:
        details["group"] = resource.group
    return details


def not_found(resource, name):
    return ApiError(
        404, "NotFound", '%s "%s" not found' % (resource.key, name), _details(resource, name)
    )


def already_exists(resource, name):
    return ApiError(
        409,
        "AlreadyExists",
        '%s "%s" already exists' % (resource.key, name),
        _details(resource, name),
    )


def conflict(
    resource,
    name,
    why="the object has been modified; please apply your changes to the latest version and try again",
):
    return ApiError(
        409,
        "Conflict",
        'Operation cannot be fulfilled on %s "%s": %s' % (resource.key, name, why),
        _details(resource, name),
    )


def invalid(resource, name, causes):
    """422 for field errors; `causes` is a list of (field, message)."""
    text = "; ".join("%s: %s" % cause for cause in causes)
    details = _details(resource, name)
    details["kind"] = resource.kind
    details["causes"] = [
        {"reason": "FieldValueInvalid", "message": msg, "field": field} for field, msg in causes
    ]
    kind = "%s.%s" % (resource.kind, resource.group) if resource.group else resource.kind
    return ApiError(422, "Invalid", '%s "%s" is invalid: %s' % (kind, name, text), details)


def bad_request(message):
    return ApiError(400, "BadRequest", message)


def method_not_allowed(message="the server does not allow this method on the requested resource"):
    return ApiError(405, "MethodNotAllowed", message)


def unsupported_media_type(message):
    return ApiError(415, "UnsupportedMediaType", message)


def unauthorized():
    return ApiError(401, "Unauthorized", "Unauthorized")


def gone(message="too old resource version"):
    return ApiError(410, "Expired", message)


def route_not_found():
    return ApiError(404, "NotFound", "the server could not find the requested resource")
