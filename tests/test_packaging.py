"""Packaging: the dependency floors are the ones CI tests, and a wheel installed from a clean folder works.

The wheel test builds from a copy of the repository (no build/ or egg-info left in the checkout), installs the wheel
without its dependencies into a fresh virtual environment that borrows this environment's site-packages for them
(no download), and runs the `newscrawler` command from another folder.
"""

from __future__ import annotations

import os
import re
import shutil
import site
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].strip().lower().replace("_", "-")


def test_constraints_min_pins_every_dependency_at_its_floor():
    floors = {}
    for requirement in PYPROJECT["project"]["dependencies"]:
        m = re.search(r">=\s*([\w.]+)", requirement)
        assert m, f"{requirement!r} has no floor (>=): CI could not test the oldest version it allows"
        floors[_name(requirement)] = Version(m.group(1))
    pins = {}
    for line in (ROOT / "constraints-min.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[_name(name)] = Version(version.strip())
    assert {name: pins.get(name) for name in floors} == floors


def test_every_package_directory_is_in_the_wheel_s_package_list():
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "newscrawler").rglob("__init__.py")}
    assert found - listed == set(), "a package the wheel would leave out: add it to [tool.setuptools] packages"


_NOT_SHIPPED = shutil.ignore_patterns(".git", ".venv*", "__pycache__", "*.db", "*.db-*", "build", "*.egg-info",
                                      ".*_cache", ".hypothesis", "demo-sources.toml")


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wheel")
    clean = tmp / "src"
    shutil.copytree(ROOT, clean, ignore=_NOT_SHIPPED)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--no-index", "-w", str(tmp / "dist"), str(clean)], check=True, capture_output=True)
    [wheel] = (tmp / "dist").glob("newscrawler-*.whl")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    purelib = Path(subprocess.run([str(bindir / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()"
                                   "['purelib'])"], check=True, capture_output=True, text=True).stdout.strip())
    # The dependencies come from this environment, appended after the venv's own site-packages (a plain path
    # entry: this environment's .pth files, such as an editable install of the checkout, are not run).
    deps = [p for p in {sysconfig.get_paths()["purelib"], *site.getsitepackages()} if Path(p).is_dir()]
    (purelib / "borrowed-deps.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")
    # this environment's pip installs into the venv (created without pip: faster); --ignore-installed: pip 26 saw
    # the checkout's editable install through borrowed-deps.pth, reported success and installed nothing
    subprocess.run([sys.executable, "-m", "pip", "--python", str(bindir / "python"), "install", "--quiet",
                    "--no-deps", "--no-index", "--ignore-installed", str(wheel)], check=True, capture_output=True)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    elsewhere = tmp / "elsewhere"
    elsewhere.mkdir()
    yield {"wheel": wheel, "bin": bindir, "env": env, "cwd": elsewhere}


def _run(installed, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([str(installed["bin"] / args[0]), *args[1:]], cwd=installed["cwd"], env=installed["env"],
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.slow
def test_the_wheel_installs_no_top_level_spiders_or_pipelines(installed):
    with zipfile.ZipFile(installed["wheel"]) as wheel:
        top = {name.split("/", 1)[0] for name in wheel.namelist() if not name.split("/", 1)[0].endswith(".dist-info")}
        names = set(wheel.namelist())
    assert top == {"newscrawler"}
    assert {"newscrawler/data/sources.toml", "newscrawler/spiders/news.py",
            "newscrawler/pipelines/store.py"} <= names
    probe = _run(installed, "python", "-c", "import newscrawler, importlib.util; print(newscrawler.__file__); "
                                            "print(importlib.util.find_spec('spiders'))")
    assert probe.returncode == 0, probe.stderr
    where, spiders = probe.stdout.split()
    assert str(installed["bin"].parent) in where and spiders == "None", probe.stderr


@pytest.mark.slow
def test_newscrawler_sources_works_from_another_folder(installed):
    result = _run(installed, "newscrawler", "sources")
    assert result.returncode == 0, result.stderr[-2000:]
    assert re.match(r"12 sources in .*newscrawler/data/sources\.toml: all valid", result.stdout), result.stdout


@pytest.mark.slow
def test_newscrawler_demo_crawls_from_another_folder(installed):
    result = _run(installed, "newscrawler", "demo", "--articles", "3", "--any-port", "--db", "out/news.db")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "articles new" in result.stdout and (installed["cwd"] / "out" / "news.db").is_file()
    new = int(re.search(r"articles new (\d+)", result.stdout).group(1))
    assert new >= 3
