"""Parse one bank YAML file into plain values plus the line of every field.

PyYAML's constructors throw line numbers away, so we compose the node tree
and build the values ourselves, noting where each mapping key and sequence
entry starts. Validation then names fields by dotted path
(``options[2].points.warmth``) and asks the document for the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

_BOOL_TAG = "tag:yaml.org,2002:bool"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_PLAIN_COLLECTION_TAGS = ("tag:yaml.org,2002:seq", "tag:yaml.org,2002:map")
#: Guards against alias bombs; a real item has a few hundred nodes.
MAX_NODES = 100_000


class BankYamlLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans and no timestamps.

    YAML 1.1 reads ``no``, ``yes``, ``on`` and ``off`` as booleans, which
    would turn a Norwegian translation (``no:``) into ``False`` and accept
    ``red_flag: yes`` by accident. Only true/false are booleans here; dates
    stay text because the bank has no use for them.
    """


BankYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag not in (_BOOL_TAG, _TIMESTAMP_TAG)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
BankYamlLoader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class YamlSyntaxError(Exception):
    """The file is not YAML we can read; `line` is 1-based or None."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class Document:
    """The plain content of one file and where each field of it starts."""

    content: Any
    lines: dict[str, int] = field(default_factory=dict)
    #: fields given twice in one mapping: (path, line of the repeat).
    duplicate_keys: list[tuple[str, int]] = field(default_factory=list)

    def line_of(self, path: str) -> int | None:
        """The line of `path`, or of its nearest enclosing field that exists.

        A missing field has no line of its own, so we point at the mapping
        that should have held it.
        """
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = parent_path(path)


def child_path(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def entry_path(path: str, index: int) -> str:
    return f"{path}[{index}]"


def parent_path(path: str) -> str:
    cut = max(path.rfind("."), path.rfind("["))
    return path[:cut] if cut > 0 else ""


def parse_document(text: str) -> Document:
    """Parse YAML text; raises YamlSyntaxError with the line of the fault."""
    loader = BankYamlLoader(text)
    try:
        root = loader.get_single_node()
        document = Document(content=None)
        if root is not None:
            document.lines[""] = root.start_mark.line + 1
            document.content = _Builder(loader, document).build(root, "")
        return document
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        parts = [part for part in (error.context, error.problem) if part]
        raise YamlSyntaxError(
            mark.line + 1 if mark else None, "YAML syntax error: " + ", ".join(parts)
        ) from error
    except yaml.YAMLError as error:
        raise YamlSyntaxError(None, f"YAML syntax error: {error}") from error
    finally:
        loader.dispose()


class _Builder:
    def __init__(self, loader: BankYamlLoader, document: Document) -> None:
        self.loader = loader
        self.document = document
        self.nodes_seen = 0
        self.open_nodes: set[int] = set()

    def build(self, node: yaml.Node, path: str) -> Any:
        self.nodes_seen += 1
        if self.nodes_seen > MAX_NODES:
            raise YamlSyntaxError(
                None, f"file expands to more than {MAX_NODES} values (aliases repeated too often)"
            )
        if id(node) in self.open_nodes:
            line = node.start_mark.line + 1
            raise YamlSyntaxError(line, "YAML syntax error: an alias refers to itself")
        if isinstance(node, yaml.ScalarNode):
            return self.loader.construct_object(node)
        if node.tag not in _PLAIN_COLLECTION_TAGS:
            # We build lists and mappings ourselves, so a tag would be silently
            # ignored; refuse it as SafeLoader would refuse a python/* tag.
            line = node.start_mark.line + 1
            raise YamlSyntaxError(line, f"YAML syntax error: unsupported tag {node.tag}")
        self.open_nodes.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return self._sequence(node, path)
            return self._mapping(node, path)
        finally:
            self.open_nodes.discard(id(node))

    def _sequence(self, node: yaml.SequenceNode, path: str) -> list[Any]:
        entries = []
        for index, entry in enumerate(node.value):
            entry_at = entry_path(path, index)
            self.document.lines.setdefault(entry_at, entry.start_mark.line + 1)
            entries.append(self.build(entry, entry_at))
        return entries

    def _mapping(self, node: yaml.MappingNode, path: str) -> dict[Any, Any]:
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlSyntaxError(line, "YAML syntax error: a key must be a plain value")
            key = self.loader.construct_object(key_node)
            key_at = child_path(path, key)
            if key in mapping:
                self.document.duplicate_keys.append((key_at, line))
                continue
            self.document.lines.setdefault(key_at, line)
            mapping[key] = self.build(value_node, key_at)
        return mapping
