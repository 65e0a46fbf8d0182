"""Global catalog design tags (`/api/design/tags`): not part of any blueprint, so writing them never touches staging.

terraform-provider-apstra and apstra-go-sdk use a tag labelled `blueprint <blueprint id> locked` as a blueprint mutex
(see README.md): creating it takes the mutex (a second create of the same label fails with 422 "... already exists"),
deleting it releases the mutex.
"""

import uuid

from apstra_sim.common import now_iso
from apstra_sim.errors import NotFound, Unprocessable

LABEL_MAX = 64  # apstra-go-sdk: "apstra 4.1.0 limit"
FIELDS = ("label", "description")
_TAG_NS = uuid.UUID("0b6c2a4e-7d55-4f0e-9a59-3c1f2e8d7a10")


class DesignTags:
    """The tags of the global catalog, in creation order."""

    def __init__(self):
        self.tags = {}
        self.counter = 0

    def _errors(self, body, tag_id=None):
        if not isinstance(body, dict):
            raise Unprocessable("Request body must be a JSON object")
        errors = {
            key: "Unknown field."
            for key in body
            if key not in FIELDS + ("id", "created_at", "last_modified_at")
        }
        label = body.get("label")
        if label is None:
            errors["label"] = "Missing data for required field."
        elif not isinstance(label, str) or not label.strip():
            errors["label"] = (
                "Not a valid string."
                if not isinstance(label, str)
                else "Shorter than minimum length 1."
            )
        elif len(label) > LABEL_MAX:
            errors["label"] = "Longer than maximum length %d." % LABEL_MAX
        elif any(
            t["label"].lower() == label.lower() for t in self.tags.values() if t["id"] != tag_id
        ):
            errors["label"] = 'Tag with label "%s" already exists' % label
        if body.get("description") is not None and not isinstance(body["description"], str):
            errors["description"] = "Not a valid string."
        if errors:
            raise Unprocessable(errors)

    def list(self):
        return {"items": [dict(tag) for tag in self.tags.values()]}

    def ids(self):
        return {"items": list(self.tags)}

    def get(self, tag_id):
        tag = self.tags.get(tag_id)
        if tag is None:
            raise NotFound("Tag %s not found" % tag_id)
        return dict(tag)

    def create(self, body):
        self._errors(body)
        self.counter += 1
        tag_id = str(uuid.uuid5(_TAG_NS, "%d:%s" % (self.counter, body["label"])))
        stamp = now_iso()
        self.tags[tag_id] = {
            "id": tag_id,
            "label": body["label"],
            "description": body.get("description") or "",
            "created_at": stamp,
            "last_modified_at": stamp,
        }
        return tag_id

    def update(self, tag_id, body):
        tag = self.get(tag_id)
        self._errors(body, tag_id)
        tag.update(
            label=body["label"],
            description=body.get("description") or "",
            last_modified_at=now_iso(),
        )
        self.tags[tag_id] = tag

    def delete(self, tag_id):
        self.get(tag_id)
        del self.tags[tag_id]
