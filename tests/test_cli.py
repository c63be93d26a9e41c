"""The command line: help in French, clear errors, commission checks."""

from __future__ import annotations

import subprocess
import sys

import pytest

from projet_associatif.cli import main
from projet_associatif.paths import project_root

FICTIF = str(project_root() / "exemples" / "suivi-fictif.xlsx")


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["validate"],
        ["audit"],
        ["build"],
        ["suivi", "modele"],
        ["suivi", "verifier"],
        ["referentiel"],
    ],
)
def test_every_command_has_french_help(command):
    result = subprocess.run(
        [sys.executable, "-m", "projet_associatif.cli", *command, "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "usage: projet-associatif" in result.stdout
    assert any(
        word in result.stdout for word in ("données", "rapport", "classeur", "référentiel", "suivi")
    )


def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "validate" in capsys.readouterr().out


def test_suivi_verifier_accepts_the_fictional_example(capsys):
    assert main(["suivi", "verifier", FICTIF]) == 0
    out = capsys.readouterr().out
    assert "valide" in out and "DONNÉES FICTIVES" in out


def test_suivi_verifier_rejects_steps_done_after_the_as_of_date(capsys):
    assert main(["suivi", "verifier", FICTIF, "--as-of", "2020-06-01"]) == 1
    err = capsys.readouterr().err
    assert "feuille « Jalons »" in err and "date_realisee" in err and "Traceback" not in err


def test_bad_as_of_date_is_a_clear_error(capsys):
    assert main(["suivi", "verifier", FICTIF, "--as-of", "01/09/2021"]) != 0
    captured = capsys.readouterr()
    assert "AAAA-MM-JJ" in captured.out + captured.err
