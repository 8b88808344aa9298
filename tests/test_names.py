"""Names in the code say one thing each: no constant defined twice, no public function nobody calls, no reject
reason listed that nothing emits. Read from the source with `ast`, so a new clash or a dead name fails here."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("newscrawler", "spiders", "pipelines")
ALL_CODE = (*PACKAGES, "tests", "bench")


def _modules(*dirs: str) -> list[Path]:
    return sorted(p for d in dirs for p in (ROOT / d).rglob("*.py"))


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def test_no_constant_is_defined_in_two_modules():
    # One name, one meaning: a second module that needs the value imports it.
    defined: dict[str, list[str]] = defaultdict(list)
    for path in _modules(*PACKAGES):
        for node in _tree(path).body:
            targets = node.targets if isinstance(node, ast.Assign) else \
                [node.target] if isinstance(node, ast.AnnAssign) else []
            for target in targets:
                if isinstance(target, ast.Name) and target.id.isupper() and not target.id.startswith("_"):
                    defined[target.id].append(str(path.relative_to(ROOT)))
    assert {name: where for name, where in defined.items() if len(where) > 1} == {}


def test_every_public_function_of_the_package_is_used():
    defs = [(node.name, str(path.relative_to(ROOT))) for path in _modules("newscrawler")
            for node in _tree(path).body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not node.name.startswith("_")
            # plugin hooks (Datasette's @hookimpl) are called by the host, by name
            and not any(isinstance(d, ast.Name) and d.id == "hookimpl"  # @hookimpl and @hookimpl(trylast=True)
                        or isinstance(d, ast.Call) and isinstance(d.func, ast.Name) and d.func.id == "hookimpl"
                        for d in node.decorator_list)]
    used: set[str] = set()
    for path in _modules(*ALL_CODE):
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Name):
                used.add(node.id)
            elif isinstance(node, ast.ImportFrom):
                used.update(alias.name for alias in node.names)
            elif isinstance(node, ast.Attribute) and not (
                    isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
                used.add(node.attr)  # module.function; an instance's own attribute of that name does not count
    assert [d for d in defs if d[0] not in used] == []


def _string_literals(*dirs: str) -> set[str]:
    return {node.value for path in _modules(*dirs) for node in ast.walk(_tree(path))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def test_every_not_fetched_reason_is_one_the_crawl_emits():
    from newscrawler.store import NOT_FETCHED_REASONS

    emitted = _string_literals("spiders", "pipelines")
    assert sorted(NOT_FETCHED_REASONS - emitted) == []
