"""One emulated Apstra server: users and their sessions, the global catalog's design tags, and the blueprints."""

import secrets
import time

from apstra_sim.blueprint import Blueprint
from apstra_sim.common import user_id
from apstra_sim.design_tags import DesignTags
from apstra_sim.errors import NotFound, Unauthorized, Unprocessable


class Backend:
    """Users, tokens, design tags and blueprints of one emulated Apstra server."""

    def __init__(
        self,
        topos,
        username="admin",
        password="sim-admin-password",
        token_ttl=86400.0,
        task_polls=2,
        task_seconds=1.0,
        users=None,
    ):
        self.topos = list(topos) if isinstance(topos, (list, tuple)) else [topos]
        labels = [topo["blueprint"] for topo in self.topos]
        if len(set(labels)) != len(labels):
            raise ValueError(
                "blueprint labels must differ between topologies: %s" % ", ".join(labels)
            )
        self.topo = self.topos[0]  # the server's version and VNI pool come from the first topology
        self.users = {username: password}
        for name, secret in (users or {}).items():
            self.add_user(name, secret)
        self.token_ttl = float(token_ttl)
        self.task_polls = int(task_polls)
        self.task_seconds = float(task_seconds)
        self.tokens = {}
        self.blueprints = {}
        self.tags = DesignTags()
        self.reset()

    def reset(self):
        """Back to the seeded blueprints and an empty tag catalog; users and sessions survive."""
        blueprints = [Blueprint(self, topo) for topo in self.topos]
        self.blueprints = dict((blueprint.id, blueprint) for blueprint in blueprints)
        self.tags = DesignTags()

    def add_user(self, username, password):
        """Add a user (or change a user's password); existing sessions keep working."""
        if not isinstance(username, str) or not username or not isinstance(password, str):
            raise ValueError("a user needs a non-empty username and a password string")
        self.users[username] = password

    def version(self):
        parts = (self.topo["apstra_version"].split(".") + ["0", "0"])[:3]
        return {
            "major": parts[0],
            "minor": parts[1],
            "build": parts[2],
            "version": self.topo["apstra_version"],
            "hotfix": "0",
        }

    user_id = staticmethod(user_id)

    def login(self, body):
        if (
            not isinstance(body, dict)
            or not isinstance(body.get("username"), str)
            or not isinstance(body.get("password"), str)
        ):
            raise Unprocessable(
                {
                    "username": "Missing data for required field.",
                    "password": "Missing data for required field.",
                }
            )
        if self.users.get(body["username"]) != body["password"]:
            raise Unauthorized("Invalid credentials")
        token = secrets.token_urlsafe(32)
        self.tokens[token] = {
            "username": body["username"],
            "expires": time.monotonic() + self.token_ttl,
        }
        return {"token": token, "id": self.user_id(body["username"])}

    def authenticate(self, token):
        if not token:
            raise Unauthorized("Authentication required: no AuthToken header")
        session = self.tokens.get(token)
        if session is None or session["expires"] <= time.monotonic():
            self.tokens.pop(token, None)
            raise Unauthorized("Invalid or expired auth token")
        return session["username"]

    def logout(self, token):
        self.tokens.pop(token, None)

    def expire_token(self, token):
        """Expire a token now: the next call with it answers 401."""
        if token in self.tokens:
            self.tokens[token]["expires"] = 0

    def blueprint(self, bp_id):
        blueprint = self.blueprints.get(bp_id)
        if blueprint is None:
            raise NotFound("Blueprint %s of type staging not found" % bp_id)
        blueprint.advance_tasks()
        return blueprint

    def state(self):
        return {
            "users": sorted(self.users),
            "sessions": len(self.tokens),
            "design_tags": self.tags.list()["items"],
            "blueprints": {bp_id: bp.state() for bp_id, bp in self.blueprints.items()},
        }
