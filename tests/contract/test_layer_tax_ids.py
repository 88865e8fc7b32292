"""The layer carries python-stdnum for the tax-id schemes (SPEC §13) without the data files they never
read: what prune.txt deletes from the built layer is exactly stdnum's other data."""

from __future__ import annotations

from pathlib import Path

import stdnum

from bench.__main__ import is_pruned, prune_patterns
from clientele.domain.tax_ids import SCHEMES

# The data a scheme's module reads: stdnum.us.ein looks an EIN's prefix up in us/ein.dat.
READ_BY_SCHEMES = frozenset({"stdnum/us/ein.dat"})


def _installed_data() -> set[str]:
    root = Path(stdnum.__file__).parent
    return {f"stdnum/{path.relative_to(root).as_posix()}" for path in root.rglob("*.dat")}


def test_every_scheme_module_and_the_data_it_reads_stay_in_the_layer() -> None:
    patterns = prune_patterns()
    modules = [f"{module.replace('.', '/')}.py" for module, _ in SCHEMES.values() if module]
    for path in [*modules, *READ_BY_SCHEMES]:
        assert not is_pruned(path, patterns), path


def test_the_rest_of_stdnums_data_is_pruned() -> None:
    patterns = prune_patterns()
    assert [path for path in sorted(_installed_data() - READ_BY_SCHEMES) if not is_pruned(path, patterns)] == []
