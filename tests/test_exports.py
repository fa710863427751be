"""The public API: every exported name resolves, lazily, to the object its module defines, and the
TYPE_CHECKING block names the same things (so editors and type checkers see what users import)."""
from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import riskengine

INIT = Path(riskengine.__file__)


def test_every_export_resolves_to_its_module_object():
    for name, module in riskengine._EXPORTS.items():
        assert getattr(riskengine, name) is getattr(importlib.import_module(f"riskengine.{module}"), name)
    assert sorted(riskengine.__all__) == sorted(riskengine._EXPORTS)


def test_type_checking_block_names_exactly_the_exports():
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            for imp in node.body:
                assert isinstance(imp, ast.ImportFrom)
                assert riskengine._EXPORTS[imp.names[0].name] == imp.module
                names.update(alias.name for alias in imp.names)
    assert names == set(riskengine._EXPORTS)


def test_unknown_name_is_an_attribute_error():
    try:
        riskengine.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:
        raise AssertionError("expected AttributeError")


def test_importing_the_package_imports_no_engine():
    code = "import sys, riskengine; print(sorted(m for m in sys.modules if m.startswith('riskengine')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['riskengine']"


def test_documented_import_paths_for_spark_and_dask_keep_working():
    from riskengine.run.batch import assess_records, read_records  # noqa: F401  (docs/scale.md)
    from riskengine.testing.generate import generate_cases  # noqa: F401
    from riskengine.run.partition import SPARK_SCHEMA, assess_pandas, assess_partition_list  # noqa: F401


def test_the_flat_layout_paths_of_spark_and_dask_code_are_the_same_modules():
    """(This module uses the flat-layout names on purpose.)"""
    import riskengine.batch
    import riskengine.generate
    import riskengine.partition
    from riskengine.run import batch, partition
    from riskengine.testing import generate
    assert (riskengine.batch, riskengine.partition, riskengine.generate) == (batch, partition, generate)
    from riskengine.cli import main
    from riskengine.cli.group import main as group
    assert main is group
