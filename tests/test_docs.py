"""The documentation covers the interface: every command and option of `newscrawler` (read from the argparse
parser) on its line of the README's command list, every NEWSCRAWLER_* setting in docs/operators.md."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from newscrawler.cli import build_parser
from newscrawler.setting_names import known_settings

ROOT = Path(__file__).resolve().parent.parent


def _commands() -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def _readme_command_lines() -> dict[str, str]:
    """`newscrawler CMD ...` lines of the README's "Commands" block, by command."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Commands\n\n```sh\n(.*?)```", readme, re.S)
    assert block, "README.md has no Commands block"
    lines = {}
    for line in block.group(1).splitlines():
        m = re.match(r"newscrawler (\w+)", line)
        if m:
            lines[m.group(1)] = line
    return lines


def test_every_command_is_in_the_readme():
    assert sorted(_commands()) == sorted(_readme_command_lines())


@pytest.mark.parametrize("command", sorted(_commands()))
def test_every_option_is_on_its_command_s_readme_line(command):
    line = _readme_command_lines().get(command, "")
    missing = []
    for action in _commands()[command]._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        if action.option_strings:
            if not any(re.search(rf"(?<![\w-]){re.escape(opt)}(?![\w-])", line) for opt in action.option_strings):
                missing.append("/".join(action.option_strings))
        elif (action.metavar or action.dest).upper() not in line.upper() and not (
                action.choices and all(str(c) in line for c in action.choices if c != action.default)):
            missing.append(action.metavar or action.dest)
    assert missing == [], f"README.md, `newscrawler {command}` line: {line!r}"


def test_every_newscrawler_setting_is_documented():
    docs = (ROOT / "docs" / "operators.md").read_text(encoding="utf-8")
    assert known_settings(), "no NEWSCRAWLER_* settings found"
    assert [name for name in known_settings() if f"`{name}`" not in docs] == []
