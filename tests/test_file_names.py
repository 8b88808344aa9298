"""Issue 20: "file names derived from content cannot escape their folder". No file name is built from page content
or a URL today: every file the code opens or creates is named by the user (`--db`, `--config`, `export -o`, the
health file setting) or by the code itself (a temporary folder, `<db>.lock`). This test keeps it so: it fails on
any file-opening call, or any path joined with `/`, whose argument mentions a page, an item or a URL; whoever
adds one must sanitise the name (and test it with '../' and absolute names) before allowing it here.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("newscrawler", "spiders", "pipelines")
# Calls that name a file to open, create, move or delete.
FILE_CALLS = {"open", "Path", "PurePath", "mkstemp", "mkdtemp", "NamedTemporaryFile", "replace", "rename", "unlink",
              "remove", "rmtree", "copy", "copyfile", "move", "makedirs", "mkdir", "write_text", "write_bytes",
              "joinpath", "join", "with_name", "with_suffix", "ParquetWriter"}
# What page content and URLs are called in this code base (names, attributes, keys).
CONTENT = {"item", "items", "article", "articles", "response", "request", "page", "url", "urls", "title", "body",
           "link", "links", "href", "entry", "source_id", "slug", "headline", "fetched_url", "canonical_url", "text"}
PATHISH = ("path", "dir", "folder", "root", "tmp", "out", "target")


def _mentions_content(node: ast.AST) -> str | None:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and sub.id in CONTENT:
            return sub.id
        if isinstance(sub, ast.Attribute) and sub.attr in CONTENT:
            return sub.attr
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str) and sub.value in CONTENT \
                and isinstance(getattr(sub, "parent", None), ast.Subscript):
            return sub.value
    return None


def _pathish(node: ast.AST) -> bool:
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        return name in {"Path", "PurePath"}
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
    return any(word in name.lower() for word in PATHISH)


def file_names_from_content(source: str) -> list[tuple[int, str]]:
    """(line, what) for each file name built from content in ``source``."""
    tree = ast.parse(source)
    for parent in ast.walk(tree):
        for child in ast.iter_child_nodes(parent):
            child.parent = parent  # type: ignore[attr-defined]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name in FILE_CALLS:
                # `str.replace(old, new)` is text, not a file: only path-like receivers count for these names
                if name in {"replace", "rename", "remove", "copy", "join"} and isinstance(func, ast.Attribute) \
                        and not (isinstance(func.value, ast.Name) and func.value.id in {"os", "shutil"}) \
                        and not (name == "join" and isinstance(func.value, ast.Attribute) and func.value.attr == "path"):
                    continue
                # every argument names the file (or a part of its name), except what write_text/write_bytes write
                args = [] if name in {"write_text", "write_bytes"} else [*node.args, *(k.value for k in node.keywords)]
                receiver = [func.value] if isinstance(func, ast.Attribute) and name in {
                    "write_text", "write_bytes", "mkdir", "unlink", "joinpath", "with_name", "with_suffix"} else []
                for arg in [*args, *receiver]:
                    if (hit := _mentions_content(arg)) is not None:
                        found.append((node.lineno, f"{name}(... {hit} ...)"))
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            for here, other in ((node.left, node.right), (node.right, node.left)):
                if _pathish(other) and (hit := _mentions_content(here)) is not None:
                    found.append((node.lineno, f"path / {hit}"))
    return found


def test_no_file_name_is_built_from_page_content_or_a_url():
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for line, what in file_names_from_content(path.read_text(encoding="utf-8")):
                found.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert not found, "file names built from content (sanitise them, then list them here):\n" + "\n".join(found)


def test_the_check_catches_a_file_named_after_content():
    catches = [
        'open(item["title"] + ".html", "w")',
        'Path(out_dir) / response.url.rsplit("/", 1)[-1]',
        'folder / article["slug"]',
        'Path(article["url"]).write_text(body)',
        'os.replace(tmp, os.path.join(root, page.title))',
        'tempfile.mkstemp(prefix=item["source_id"])',
    ]
    for code in catches:
        assert file_names_from_content(code), code
    fine = ['open(args.output, "w")', 'Path(db).parent / "demo-sources.toml"', 'title.replace("a", "b")',
            'Path(str(db) + ".lock")', 'len(body) / span', '", ".join(urls)', 'Path(tmp).write_text(text)']
    for code in fine:
        assert not file_names_from_content(code), code
