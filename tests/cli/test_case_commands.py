"""The case commands' arguments and help, as a clerk reads them in `starter.py ACTION --help`."""

from __future__ import annotations

import argparse

import pytest

from cli.case_commands import COMMANDS, add_token_file
from tests.lang import speaking
from texts import Lang


@pytest.mark.parametrize(("name", "role"), [("whistle", "承办人"), ("extend", "负责人")])
def test_an_action_s_help_names_the_role_it_is_meant_for_as_people_say_it(name, role):
    command = next(c for c in COMMANDS if c.name == name)
    parser = argparse.ArgumentParser()
    with speaking(Lang.zh):
        add_token_file(parser, command)
        help_text = parser.format_help()

    assert f"供{role}使用" in help_text
    assert command.default_role not in help_text  # the role's code is for machines
