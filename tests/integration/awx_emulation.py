"""What AWX does with a credential type, re-implemented for tests: validate it, and inject a credential.

Follows ansible/awx: awx/main/fields.py (CredentialTypeInputField and CredentialTypeInjectorField validation) and
awx/main/models/credential.py (CredentialType.inject_credential), and awx_plugins' injector of the built-in
"OpenShift or Kubernetes API Bearer Token" type (kubernetes_bearer_token):

- inputs: fields with id, label and type string (the default) or boolean; format, choices, multiline and secret
  only on strings; ids unique, valid variable names, never "tower"; no "dependencies" for custom types.
- injectors: "file" (template or template.<name>), "env" and "extra_vars" templates, validated by rendering
  them with every field set to "EXAMPLE" and undefined names as errors; env names starting with ANSIBLE_ and a
  few AWX-internal names are refused.
- injection: the namespace holds the credential's inputs, empty strings left out, booleans that were never set
  as false; templates are rendered with Jinja2's ImmutableSandboxedEnvironment (undefined renders as ""); file
  templates are written to <private data dir>/env/ and `tower.filename` names them; extra_vars go to a YAML
  file passed as `-e @file`.
"""

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

import jsonschema
import yaml
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

# awx/main/constants.py ENV_BLOCKLIST
ENV_BLOCKLIST = frozenset(
    (
        "VIRTUAL_ENV",
        "PATH",
        "PYTHONPATH",
        "JOB_ID",
        "INVENTORY_ID",
        "INVENTORY_SOURCE_ID",
        "INVENTORY_UPDATE_ID",
        "AD_HOC_COMMAND_ID",
        "REST_API_URL",
        "REST_API_TOKEN",
        "MAX_EVENT_RES",
        "CALLBACK_QUEUE",
        "CALLBACK_CONNECTION",
        "CACHE",
        "JOB_CALLBACK_DEBUG",
        "INVENTORY_HOSTVARS",
        "AWX_HOST",
        "PROJECT_REVISION",
        "SUPERVISOR_CONFIG_PATH",
    )
)

INPUTS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "required": {"type": "array", "items": {"type": "string"}},
        "fields": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "label"],
                "properties": {
                    "type": {"enum": ["string", "boolean"]},
                    "format": {"enum": ["ssh_private_key", "url"]},
                    "choices": {
                        "type": "array",
                        "minItems": 1,
                        "items": {"type": "string"},
                        "uniqueItems": True,
                    },
                    "id": {"type": "string", "pattern": "^[a-zA-Z_]+[a-zA-Z0-9_]*$"},
                    "label": {"type": "string"},
                    "help_text": {"type": "string"},
                    "multiline": {"type": "boolean"},
                    "secret": {"type": "boolean"},
                    "ask_at_runtime": {"type": "boolean"},
                    "default": {},
                },
            },
        },
    },
}

INJECTORS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "file": {
            "type": "object",
            "patternProperties": {r"^template(\.[a-zA-Z_]+[a-zA-Z0-9_]*)?$": {"type": "string"}},
            "additionalProperties": False,
        },
        "env": {
            "type": "object",
            "patternProperties": {
                "^[a-zA-Z_]+[a-zA-Z0-9_]*$": {"type": "string", "pattern": "^[\x00-\x7f]*$"}
            },
            "additionalProperties": False,
        },
        "extra_vars": {
            "type": "object",
            "patternProperties": {
                r"^[a-zA-Z_\{\}]+[a-zA-Z0-9_\{\}]*$": {
                    "anyOf": [
                        {"type": "string"},
                        {"type": "array"},
                        {"$ref": "#/properties/extra_vars"},
                    ]
                },
            },
            "additionalProperties": False,
        },
    },
}

CREDENTIAL_TYPE_KINDS = (
    "ssh",
    "vault",
    "net",
    "scm",
    "cloud",
    "registry",
    "token",
    "insights",
    "external",
    "kubernetes",
    "galaxy",
)


def load(path):
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def validate_credential_type(credential_type):
    """Raise ValueError the way AWX refuses a custom credential type; return the field ids."""
    if credential_type.get("kind") not in ("cloud", "net"):
        raise ValueError(
            "custom credential types must be of kind cloud or net, not %r"
            % credential_type.get("kind")
        )
    inputs = credential_type.get("inputs") or {}
    injectors = credential_type.get("injectors") or {}
    if "dependencies" in inputs:
        raise ValueError("'dependencies' is not supported for custom credentials")
    jsonschema.Draft4Validator(INPUTS_SCHEMA).validate(inputs)
    ids = []
    for field in inputs.get("fields", []):
        if field["id"] == "tower":
            raise ValueError('"tower" is a reserved field name')
        if field["id"] in ids:
            raise ValueError("field IDs must be unique (%s)" % field["id"])
        ids.append(field["id"])
        kind = field.setdefault("type", "string")
        if "default" in field and not isinstance(
            field["default"], {"string": str, "boolean": bool}[kind]
        ):
            raise ValueError("%s is not a %s" % (field["default"], kind))
        for key in ("choices", "multiline", "format", "secret"):
            if key in field and kind != "string":
                raise ValueError("%s not allowed for %s type (%s)" % (key, kind, field["id"]))
    for name in inputs.get("required", []):
        if name not in ids:
            raise ValueError("required field %s is not defined" % name)

    jsonschema.Draft4Validator(INJECTORS_SCHEMA).validate(injectors)
    for name in injectors.get("env", {}):
        if name.startswith("ANSIBLE_") or name in ENV_BLOCKLIST:
            raise ValueError("environment variable %s is not allowed in credentials" % name)
    namespace = dict((field_id, "EXAMPLE") for field_id in ids)
    tower = SimpleNamespace(filename=None)
    files = list(injectors.get("file", {}))
    if "template" in files:
        if len(files) > 1:
            raise ValueError("must use multi-file syntax when injecting multiple files")
        tower.filename = "EXAMPLE_FILENAME"
    elif files:
        tower.filename = SimpleNamespace(
            **dict((name.split(".", 1)[1], "EXAMPLE_FILENAME") for name in files)
        )
    namespace["tower"] = tower
    strict = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    for kind in ("file", "env"):
        for key, template in injectors.get(kind, {}).items():
            strict.from_string(template).render(namespace)
    for template in _strings(injectors.get("extra_vars", {})):
        strict.from_string(template).render(namespace)
    return ids


def _strings(node):
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)
    else:
        yield node


def inject(credential_type, inputs, private_data_dir):
    """Inject a credential of this type: returns (env, args); files land in <private_data_dir>/env/."""
    injectors = credential_type.get("injectors") or {}
    tower = SimpleNamespace()
    namespace = {"tower": tower}
    for name, value in inputs.items():
        if isinstance(value, bool) or len(value):
            namespace[name] = value
    for field in credential_type["inputs"].get("fields", []):
        if field.get("type", "string") == "boolean" and field["id"] not in inputs:
            namespace[field["id"]] = False
    sandbox = ImmutableSandboxedEnvironment()
    env_dir = os.path.join(private_data_dir, "env")
    os.makedirs(env_dir, exist_ok=True)
    for label, template in injectors.get("file", {}).items():
        handle, path = tempfile.mkstemp(dir=env_dir)
        with os.fdopen(handle, "w") as out:
            out.write(sandbox.from_string(template).render(**namespace))
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        if "." not in label:
            tower.filename = path
        else:
            if not isinstance(getattr(tower, "filename", None), SimpleNamespace):
                tower.filename = SimpleNamespace()
            setattr(tower.filename, label.split(".", 1)[1], path)
    env = {}
    for name, template in injectors.get("env", {}).items():
        if name.startswith("ANSIBLE_") or name in ENV_BLOCKLIST:
            continue
        env[name] = sandbox.from_string(template).render(**namespace)
    args = []
    if injectors.get("extra_vars"):

        def render(node):
            if isinstance(node, dict):
                return dict((render(k), render(v)) for k, v in node.items())
            if isinstance(node, list):
                return [render(v) for v in node]
            return sandbox.from_string(node).render(**namespace)

        handle, path = tempfile.mkstemp(dir=env_dir)
        with os.fdopen(handle, "w") as out:
            yaml.safe_dump(render(injectors["extra_vars"]), out)
        args += ["-e", "@%s" % path]
    return env, args


def inject_kubernetes_bearer_token(inputs, private_data_dir):
    """AWX's built-in "OpenShift or Kubernetes API Bearer Token" credential: host, bearer_token, verify_ssl, ssl_ca_cert."""
    env = {
        "K8S_AUTH_HOST": str(inputs.get("host", "")),
        "K8S_AUTH_API_KEY": str(inputs.get("bearer_token", "")),
    }
    if inputs.get("verify_ssl") and inputs.get("ssl_ca_cert"):
        env["K8S_AUTH_VERIFY_SSL"] = "True"
        env_dir = os.path.join(private_data_dir, "env")
        os.makedirs(env_dir, exist_ok=True)
        handle, path = tempfile.mkstemp(dir=env_dir)
        with os.fdopen(handle, "w") as out:
            out.write(str(inputs["ssl_ca_cert"]))
        env["K8S_AUTH_SSL_CA_CERT"] = path
    else:
        env["K8S_AUTH_VERIFY_SSL"] = "False"
    return env


def project_checkout(repo, dest):
    """Copy what a fresh clone of `repo`'s working tree holds (tracked and new files, nothing ignored) to `dest`.

    No .venv, no build/, no installed collection: what an AWX project update checks out.
    """
    listed = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=str(repo),
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for rel in filter(None, listed):
        source = os.path.join(str(repo), rel)
        if not os.path.lexists(source):
            continue
        target = os.path.join(str(dest), rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)
    return dest


def run_ok(cmd, cwd, env=None, timeout=300):
    """Run `cmd` in `cwd` with `env` (default: this process's environment), its output captured as text; it must exit
    0 (its output is the failure's message). The CompletedProcess."""
    proc = subprocess.run(
        cmd, cwd=str(cwd), env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def build_collection(checkout, dist, env=None):
    """`ansible-galaxy collection build` in `checkout` (a project_checkout) into `dist`, in `env` (default: this
    process's environment); the tarball's path."""
    run_ok(
        [
            str(Path(sys.executable).parent / "ansible-galaxy"),
            "collection",
            "build",
            "--output-path",
            str(dist),
        ],
        checkout,
        env,
    )
    return next(Path(dist).glob("netops-cn2_apstra-*.tar.gz"))
