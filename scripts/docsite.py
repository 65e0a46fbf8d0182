"""Helpers of the documentation site build (scripts/docsite.sh); the guides stay Markdown in docs/.

  docsite.py rst DOCS_DIR DEST_DIR        docs/<name>.md -> DEST_DIR/<name>.rst for every guide extra-docs.yml lists
  docsite.py check DOCS_DIR               fail unless DOCS_DIR/docsite/rst holds exactly what `rst` writes, and
                                          extra-docs.yml lists every guide (docs/*.md)
  docsite.py inventory RST_DIR OUT.inv    intersphinx inventory of the docs.ansible.com targets the plugin pages use

The converted guides are committed (docs/docsite/rst, `make docs-rst`): a tarball built from a clone with
`ansible-galaxy collection build` (or by an AWX project update) carries them, so the documentation site builds from
the installed collection alone.

The guides are converted with pandoc (pypandoc-binary). Links between guides become :ref: links to the guide's
label (ansible_collections.netops.cn2_apstra.docsite.<name>), so Sphinx checks them; links to other files of
the repository become links to them on GitHub (galaxy.yml `repository`).

The generated plugin pages refer to a few pages of the Ansible documentation (return values, configuration
settings); the inventory maps them to docs.ansible.com so that the site builds offline in nitpicky mode, where any
other unresolved reference is an error.
"""

import json
import os
import posixpath
import re
import sys
import tempfile
import zlib

import pypandoc
import yaml

COLLECTION = "netops.cn2_apstra"
LABEL = "ansible_collections.%s.docsite.%%s" % COLLECTION
# Labels of the Ansible documentation that antsibull-docs' plugin pages refer to.
ANSIBLE_LABELS = {
    "common_return_values": (
        "reference_appendices/common_return_values.html#common-return-values",
        "Return Values",
    ),
    "action_plugins": (
        "plugins/action.html#action-plugins",
        "Action plugins",
    ),
    "ansible_configuration_settings": (
        "reference_appendices/config.html#ansible-configuration-settings",
        "Ansible Configuration Settings",
    ),
}
MARKDOWN_LINK_RE = re.compile(r"\[[^\]]+\]\([^\)]+\)")
# How antsibull-docs writes references to environment variables (underscores escaped).
ENVVAR_RE = re.compile(r":(?:envvar|ansenvvarref):`(ANSIBLE(?:\\?_[A-Z0-9]+)+)`")


def guides(docs_dir):
    """The guide names (docs/<name>.md) that docs/docsite/extra-docs.yml lists, in order."""
    with open(os.path.join(docs_dir, "docsite", "extra-docs.yml"), encoding="utf-8") as handle:
        extra = yaml.safe_load(handle)
    return [name for section in extra["sections"] for name in section["toctree"]]


def repository_url(docs_dir):
    with open(os.path.join(docs_dir, os.pardir, "galaxy.yml"), encoding="utf-8") as handle:
        return yaml.safe_load(handle)["repository"].rstrip("/")


def text_of(node):
    """Plain text of pandoc AST elements."""
    if isinstance(node, list):
        return "".join(text_of(item) for item in node)
    if not isinstance(node, dict):
        return ""
    kind, content = node.get("t"), node.get("c")
    if kind == "Str":
        return content
    if kind == "Code":
        return content[1]
    if kind in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if kind in ("Link", "Image"):
        return text_of(content[1])
    return text_of(content)


def rewrite(node, guide):
    """Walk the pandoc AST of docs/<name>.md.

    Heading ids get the guide's label as prefix (Sphinx labels are global); links to a guide or a heading become
    :ref: links; relative links to other files of the repository become links to them on GitHub.
    `guide`: names (every guide), source (docs/<name>.md), blob (GitHub URL prefix), root (repository directory).
    """
    if isinstance(node, list):
        return [rewrite(item, guide) for item in node]
    if not isinstance(node, dict):
        return node
    source = guide["source"]
    name = posixpath.splitext(posixpath.basename(source))[0]
    if node.get("t") == "Code" and MARKDOWN_LINK_RE.search(node["c"][1]):
        # Literal text such as `networks[0](sriov-data)` would read as a Markdown link to rstcheck (antsibull-docs
        # lint): an escaped space, which docutils drops, keeps it apart.
        text = node["c"][1].replace("\\", "\\\\").replace("`", "\\`").replace("](", "]\\ (")
        return {"t": "RawInline", "c": ["rst", ":literal:`%s`" % text]}
    if node.get("t") == "CodeBlock" and "python" in node["c"][0][1]:
        # A Python sketch that does not parse (`def f(fixture, ...)`) is shown as plain text: rstcheck (antsibull-docs
        # lint) compiles Python code blocks.
        try:
            compile(node["c"][1], source, "exec")
        except SyntaxError:
            (ident, classes, keyvals), code = node["c"]
            return {
                "t": "CodeBlock",
                "c": [[ident, [c for c in classes if c != "python"], keyvals], code],
            }
        return node
    if node.get("t") == "Header":
        level, (ident, classes, keyvals), inlines = node["c"]
        node = {
            "t": "Header",
            "c": [
                level,
                ["%s.%s" % (LABEL % name, ident) if ident else "", classes, keyvals],
                inlines,
            ],
        }
    elif node.get("t") == "Link":
        attr, inlines, (url, title) = node["c"]
        if not re.match(r"^[a-z][a-z0-9+.-]*:", url):
            path, _sep, anchor = url.partition("#")
            target = (
                posixpath.normpath(posixpath.join(posixpath.dirname(source), path))
                if path
                else source
            )
            target_name = posixpath.splitext(posixpath.basename(target))[0]
            if (
                posixpath.dirname(target) == "docs"
                and target.endswith(".md")
                and target_name in guide["names"]
            ):
                label = LABEL % target_name + ("." + anchor if anchor else "")
                text = text_of(inlines).replace("`", "").replace("<", "").replace(">", "")
                return {"t": "RawInline", "c": ["rst", ":ref:`%s <%s>`" % (text, label)]}
            if not os.path.exists(os.path.join(guide["root"], target)):
                raise SystemExit(
                    "%s: broken link to %s (no such file in the repository)" % (source, url)
                )
            node = {
                "t": "Link",
                "c": [
                    attr,
                    inlines,
                    ["%s/%s" % (guide["blob"], target) + ("#" + anchor if anchor else ""), title],
                ],
            }
    if "c" in node:
        node = dict(node, c=rewrite(node["c"], guide))
    return node


def convert(docs_dir, dest_dir):
    names = guides(docs_dir)
    blob = repository_url(docs_dir) + "/blob/main"
    os.makedirs(dest_dir, exist_ok=True)
    for name in names:
        source = "docs/%s.md" % name
        ast = json.loads(
            pypandoc.convert_file(os.path.join(docs_dir, name + ".md"), "json", format="gfm")
        )
        ast["blocks"] = rewrite(
            ast["blocks"],
            dict(
                names=names,
                source=source,
                blob=blob,
                root=os.path.dirname(os.path.abspath(docs_dir)),
            ),
        )
        rst = pypandoc.convert_text(
            json.dumps(ast), "rst", format="json", extra_args=["--wrap=none"]
        )
        header = ".. Generated from %s by scripts/docsite.py; edit the Markdown.\n\n.. _%s:\n\n" % (
            source,
            LABEL % name,
        )
        with open(os.path.join(dest_dir, name + ".rst"), "w", encoding="utf-8") as handle:
            handle.write(header + rst)
    return names


def write_inventory(rst_dir, path):
    """An intersphinx inventory (format version 2) of the Ansible documentation targets used in rst_dir."""
    envvars = set()
    for root, _dirs, files in os.walk(rst_dir):
        for name in files:
            if name.endswith(".rst"):
                with open(os.path.join(root, name), encoding="utf-8") as handle:
                    envvars.update(
                        envvar.replace("\\", "") for envvar in ENVVAR_RE.findall(handle.read())
                    )
    lines = [
        "%s std:label -1 %s %s" % (label, uri, title)
        for label, (uri, title) in sorted(ANSIBLE_LABELS.items())
    ]
    lines += [
        "%s std:envvar 1 reference_appendices/config.html#envvar-%s -" % (name, name)
        for name in sorted(envvars)
    ]
    header = "# Sphinx inventory version 2\n# Project: Ansible\n# Version: latest\n# The remainder of this file is compressed using zlib.\n"
    with open(path, "wb") as handle:
        handle.write(header.encode() + zlib.compress(("\n".join(lines) + "\n").encode()))
    return len(lines)


def check(docs_dir):
    """Problems of the committed guides: guides missing from extra-docs.yml, rst files older than their Markdown."""
    problems = []
    names = guides(docs_dir)
    listed = set(names)
    for name in sorted(os.listdir(docs_dir)):
        if name.endswith(".md") and name[:-3] not in listed:
            problems.append("docs/%s is in no toctree of docs/docsite/extra-docs.yml" % name)
    committed = os.path.join(docs_dir, "docsite", "rst")
    with tempfile.TemporaryDirectory() as fresh:
        convert(docs_dir, fresh)
        wanted = set(name + ".rst" for name in names)
        present = set(os.listdir(committed)) if os.path.isdir(committed) else set()
        for name in sorted(wanted | present):
            if name not in wanted:
                problems.append("docs/docsite/rst/%s is no guide of extra-docs.yml" % name)
            elif name not in present:
                problems.append("docs/docsite/rst/%s is missing" % name)
            else:
                with open(os.path.join(fresh, name), encoding="utf-8") as handle:
                    new = handle.read()
                with open(os.path.join(committed, name), encoding="utf-8") as handle:
                    if handle.read() != new:
                        problems.append(
                            "docs/docsite/rst/%s differs from docs/%s.md converted"
                            % (name, name[:-4])
                        )
    return problems


def main(argv):
    if len(argv) == 4 and argv[1] == "rst":
        names = convert(argv[2], argv[3])
        print("converted %d guides: %s" % (len(names), ", ".join(names)))
    elif len(argv) == 3 and argv[1] == "check":
        problems = check(argv[2])
        for problem in problems:
            print(problem)
        if problems:
            print(
                "regenerate the guides with `make docs-rst` (scripts/docsite.py rst docs docs/docsite/rst)"
            )
            return 1
        print("the committed guides are the Markdown's, converted (%d)" % len(guides(argv[2])))
    elif len(argv) == 4 and argv[1] == "inventory":
        print(
            "%d Ansible documentation targets in %s" % (write_inventory(argv[2], argv[3]), argv[3])
        )
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
