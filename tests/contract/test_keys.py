"""All key knowledge is in ``clientele/store/keys.py`` (ARCHITECTURE §6): nothing else spells a key
prefix, a key segment or an index attribute; the prefixes there cannot read each other's items; and
the index names and key attributes there are the table's in template.yaml.

What counts as key knowledge is read from keys.py itself (its string literals), so a new prefix
there is guarded here without editing this test. Tests may spell keys: a test that pins the stored
format (``ORG#o#CUST#c``) is a specification of it. Docstrings may too: they are prose.
"""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from clientele.domain.references import KINDS, REFERENCE_FIELDS
from clientele.store import keys
from local import template
from tests.contract.sources import TREES, Source, all_sources, docstrings, parse

KEYS_MODULE = "clientele.store.keys"
STORE = "clientele.store"
_TOKEN = re.compile(r"[A-Z][A-Z0-9_]+")


def _literals(source: Source) -> Iterator[tuple[int, str]]:
    """(line, text) of the string literals of code (f-string pieces included), not docstrings."""
    prose = {id(node) for node in docstrings(source.tree)}
    for node in ast.walk(source.tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in prose:
            yield node.lineno, node.value


def _keys_source() -> Source:
    return next(source for source in all_sources() if source.module == KEYS_MODULE)


def _key_vocabulary() -> tuple[frozenset[str], frozenset[str]]:
    """(segments joined by ``#`` in a key, whole literals such as ``CUSTOMER`` or ``GSI1``), from keys.py."""
    pieces = {text for _, text in _literals(_keys_source())}
    segments = frozenset(token for piece in pieces if "#" in piece for token in _TOKEN.findall(piece))
    whole = frozenset(piece for piece in pieces if re.fullmatch(r"[A-Z][A-Z0-9_#]+", piece))
    return segments, whole


SEGMENTS, WHOLE = _key_vocabulary()
_ALTERNATIVES = "|".join(sorted(SEGMENTS, key=len, reverse=True))
_SEGMENT = re.compile(rf"(?<![A-Za-z0-9_])(?:{_ALTERNATIVES})#|#(?:{_ALTERNATIVES})(?![A-Za-z0-9_])")
_INDEX = re.compile(r"\b(?:GSI|LSI)\d+(?:PK|SK)?\b")
_TABLE_KEYS = frozenset({keys.TABLE_PK, keys.TABLE_SK})
# The table's own key attributes used in an expression (``PK = :pk``, ``attribute_exists(PK)``).
_TABLE_KEY_USE = re.compile(rf"\b(?:{keys.TABLE_PK}|{keys.TABLE_SK})\b\s*(?:=|<|>|BETWEEN)|"
                            rf"\((?:{keys.TABLE_PK}|{keys.TABLE_SK})[,)]")


def key_literals(source: Source) -> list[str]:
    """Where a module other than keys.py spells key knowledge. The store may name the table's own
    key attributes (``PK``/``SK``): it is the code that talks to the table."""
    if source.module == KEYS_MODULE:
        return []
    in_store = source.module == STORE or source.module.startswith(STORE + ".")
    found = []
    for line, text in _literals(source):
        table_key = text in _TABLE_KEYS or bool(_TABLE_KEY_USE.search(text))
        if table_key and in_store:
            continue
        if table_key or _SEGMENT.search(text) or _INDEX.search(text) or text in WHOLE:
            found.append(f"{source.shown}:{line} spells key literal {text!r}: use clientele.store.keys")
    return found


def _checked_sources() -> list[Source]:
    return [source for source in all_sources() if source.module.split(".")[0] != "tests"]


# --- (a) nothing but keys.py spells keys -----------------------------------------------------------------


def test_no_module_but_store_keys_spells_a_key_prefix_segment_or_index_attribute() -> None:
    found = [line for source in _checked_sources() for line in key_literals(source)]
    assert not found, "key knowledge outside store/keys.py:\n" + "\n".join(found)


def test_the_vocabulary_read_from_keys_py_has_the_known_prefixes() -> None:
    assert {"ORG", "CUST", "UNIQUE", "REMOTE_ID", "IMPORT", "TAX", "GUARD"} <= SEGMENTS
    assert {"CUSTOMER", "CTYPE", "GSI1", "GSI10", "LSI1SK"} <= WHOLE


@pytest.mark.parametrize(("module", "code"), [
    ("clientele.streams.planted", 'def org(pk: str) -> str:\n    return pk.removeprefix("ORG#")\n'),
    ("clientele.store.planted", 'def pk(org: str) -> str:\n    return f"{org}#UNIQUE"\n'),
    ("clientele.services.planted", 'def sk(remote_id: str) -> str:\n    return "REMOTE_ID#" + remote_id\n'),
    ("clientele.store.planted", 'CONDITION = "GSI9PK = :pk"\n'),
    ("clientele.store.planted", 'FACET = "CTYPE"\n'),
    ("clientele.api.planted", 'KEY = "PK"\n'),
    ("local.planted", 'CONDITION = "attribute_exists(SK)"\n'),
    ("bench.planted", 'INDEX = "GSI10"\n'),
], ids=["ORG#-parsing", "#UNIQUE-in-fstring", "REMOTE_ID#", "raw-GSI9PK", "facet-prefix", "PK-outside-store",
        "SK-expression-in-local", "index-name-in-bench"])
def test_a_planted_key_literal_is_reported_with_file_and_line(module: str, code: str) -> None:
    area, _, name = module.rpartition(".")
    tree = TREES[area.split(".")[0]]
    path = tree.joinpath(*area.split(".")[1:], f"{name}.py")
    planted = parse(path, code)

    found = key_literals(planted)

    assert len(found) == 1 and f"planted.py:{code.count(chr(10))} spells key literal" in found[0], found


def test_the_store_may_name_the_tables_own_key_attributes() -> None:
    planted = parse(TREES["clientele"] / "store" / "planted.py", 'CONDITION = "attribute_not_exists(PK)"\n')

    assert key_literals(planted) == []


def test_docstrings_and_lowercase_words_are_not_key_literals() -> None:
    code = '"""Items under ``ORG#<org>#CUST#<id>``."""\n\nKIND = "customer"\nCOUNTRIES = "PK SK SO"\n'
    planted = parse(TREES["clientele"] / "services" / "planted.py", code)

    assert key_literals(planted) == []


# --- (b) the prefixes cannot read each other's items -------------------------------------------------------

_SAMPLE = "v"


def _builders(suffixes: tuple[str, ...]) -> dict[str, Callable[..., str]]:
    return {name: function for name, function in inspect.getmembers(keys, inspect.isfunction)
            if function.__module__ == KEYS_MODULE and name.endswith(suffixes) and not name.startswith("org_of")}


def _sample(function: Callable[..., str]) -> str:
    parameters = inspect.signature(function).parameters
    return function(*(0 if parameter.annotation in ("int", int) else _SAMPLE for parameter in parameters.values()))


def _table_partition_keys() -> dict[str, str]:
    """Every shape of the table's ``PK`` (the ``*_pk`` builders), built with sample values."""
    return {name: _sample(function) for name, function in _builders(("_pk",)).items()}


def _index_partition_keys() -> dict[str, str]:
    """Every shape of an index partition key (``*_partition`` builders, one per facet, the realm list).
    Only GSI1 is shared by several, but none may clash with another in any index."""
    built = {name: _sample(function) for name, function in _builders(("_partition",)).items()
             if name != "facet_partition"}
    built |= {f"facet {field_name}": keys.facet_partition(_SAMPLE, prefix, _SAMPLE)
              for field_name, (_, prefix) in keys.FACETS.items()}
    built["QBO_ENABLED_REALMS"] = keys.QBO_ENABLED_REALMS
    return built


def _shape(key: str) -> re.Pattern[str]:
    """What a key built from other values would look like: each sample value any run without ``#``."""
    return re.compile("#".join("[^#]+" if part in (_SAMPLE, "0") else re.escape(part) for part in key.split("#")))


@pytest.mark.parametrize("space", [_table_partition_keys, _index_partition_keys], ids=["table", "indexes"])
def test_no_two_partition_key_builders_can_build_the_same_key(space: Callable[[], dict[str, str]]) -> None:
    built = space()
    clashes = [f"{name} ({key}) can also be built by {other} ({built[other]})"
               for name, key in built.items() for other in built
               if other != name and _shape(built[other]).fullmatch(key)]
    assert len(built) > 3 and not clashes, "\n".join(clashes)


def _sort_key_prefixes() -> dict[str, str]:
    constants = {name: value for name, value in vars(keys).items()
                 if name.endswith("_PREFIX") and isinstance(value, str)}
    built = {name: _sample(function).split(_SAMPLE)[0] for name, function in _builders(("_sk", "_prefix")).items()}
    return constants | {name: prefix for name, prefix in built.items() if prefix.endswith("#")}


def _fixed_sort_keys() -> dict[str, str]:
    return {name: value for name, value in vars(keys).items() if name.endswith("_SK") and isinstance(value, str)
            and name not in ("TABLE_SK", "CUSTOMER_LOCAL_SK")}


def test_every_sort_key_prefix_ends_at_a_separator() -> None:
    unterminated = {name: prefix for name, prefix in _sort_key_prefixes().items() if not prefix.endswith("#")}
    assert not unterminated


def test_a_begins_with_on_one_sort_key_prefix_reads_no_other_kind_of_item() -> None:
    prefixes = _sort_key_prefixes()
    others = {**{f"prefix {name}": value for name, value in prefixes.items()},
              **{f"sort key {name}": value for name, value in _fixed_sort_keys().items()}}
    overlaps = [f"begins_with({prefix!r}) from {name} also reads {label} ({value!r})"
                for name, prefix in prefixes.items() for label, value in others.items()
                if value.startswith(prefix) and value != prefix]
    assert not overlaps, "\n".join(overlaps)


def test_the_customer_read_range_holds_only_contacts_and_the_customer() -> None:
    """``SK BETWEEN CONTACT# AND CUSTOMER`` reads a customer with its contacts in one Query (store/customers.py)."""
    in_customer_partition = {"activity": keys.activity_sk(_SAMPLE), "project": keys.project_sk(_SAMPLE),
                             "child": keys.child_sk(_SAMPLE), "rollup": keys.rollup_sk(keys.ROLLUP_ORDER, _SAMPLE),
                             "report rollup": keys.rollup_sk(keys.ROLLUP_REPORT, ""),
                             "webhook event": keys.webhook_event_sk(_SAMPLE)}
    inside = [name for name, sk in in_customer_partition.items() if keys.CONTACT_PREFIX <= sk <= keys.CUSTOMER_SK]
    assert not inside
    assert keys.CONTACT_PREFIX <= keys.contact_sk(_SAMPLE) <= keys.CUSTOMER_SK


def test_the_sync_progress_range_holds_only_the_lease_and_the_state() -> None:
    """``SK BETWEEN QBO_SYNC_LEASE AND QBO_SYNC_STATE`` under ``ORG#o`` reads both in one Query."""
    in_org_partition = {"settings": keys.SETTINGS_SK, "order sequence": keys.ORDER_SEQUENCE_SK,
                        **{f"{kind} entry": keys.taxonomy_sk(kind, _SAMPLE) for kind in KINDS},
                        **{f"{kind} list head": keys.taxonomy_list_sk(kind) for kind in KINDS}}
    inside = [name for name, sk in in_org_partition.items() if keys.QBO_SYNC_LEASE_SK <= sk <= keys.QBO_SYNC_STATE_SK]
    assert not inside


# --- (c) keys.py and template.yaml name the same indexes --------------------------------------------------


def _table() -> dict[str, Any]:
    resources = template.load_template()["Resources"]
    tables = [resource["Properties"] for resource in resources.values() if resource["Type"] == "AWS::DynamoDB::Table"]
    assert len(tables) == 1
    table: dict[str, Any] = tables[0]
    return table


def _key_schema(schema: list[dict[str, str]]) -> tuple[str, ...]:
    by_type = {entry["KeyType"]: entry["AttributeName"] for entry in schema}
    return tuple(by_type[key_type] for key_type in ("HASH", "RANGE") if key_type in by_type)


def test_the_tables_key_schema_is_the_one_in_keys_py() -> None:
    assert _key_schema(_table()["KeySchema"]) == (keys.TABLE_PK, keys.TABLE_SK)


def test_the_global_indexes_in_template_yaml_are_those_in_keys_py_with_their_key_attributes() -> None:
    declared = {index["IndexName"]: _key_schema(index["KeySchema"]) for index in _table()["GlobalSecondaryIndexes"]}

    assert declared == keys.INDEX_KEYS


def test_the_local_index_in_template_yaml_is_the_one_in_keys_py() -> None:
    declared = {index["IndexName"]: _key_schema(index["KeySchema"]) for index in _table()["LocalSecondaryIndexes"]}

    assert declared == {keys.CUSTOMER_LOCAL_INDEX: (keys.TABLE_PK, keys.CUSTOMER_LOCAL_SK)}


def test_every_index_named_in_keys_py_exists_in_template_yaml() -> None:
    table = _table()
    declared = {index["IndexName"] for group in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes")
                for index in table[group]}
    named = {value for name, value in vars(keys).items() if name.endswith("_INDEX") and isinstance(value, str)}
    assert named <= declared, sorted(named - declared)


def test_every_index_key_attribute_is_declared_as_a_string_attribute() -> None:
    attributes = {entry["AttributeName"]: entry["AttributeType"] for entry in _table()["AttributeDefinitions"]}
    used = {keys.TABLE_PK, keys.TABLE_SK, keys.CUSTOMER_LOCAL_SK} | {name for pair in keys.INDEX_KEYS.values()
                                                                    for name in pair}
    assert {name: attributes.get(name) for name in used} == dict.fromkeys(used, "S")


def test_every_reference_field_has_a_facet_index() -> None:
    assert {reference.field for reference in REFERENCE_FIELDS} <= set(keys.FACETS)
