"""environment.yml and pyproject.toml must declare the same dependencies."""

import tomllib

import yaml

from projet_associatif.core.paths import project_root


def _pip_section(env: dict) -> list[str]:
    for dep in env["dependencies"]:
        if isinstance(dep, dict) and "pip" in dep:
            return dep["pip"]
    raise AssertionError("environment.yml has no pip section")


def test_environment_matches_pyproject():
    root = project_root()
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((root / "environment.yml").read_text())
    pip = [d for d in _pip_section(env) if not d.startswith("-e")]
    assert sorted(pip) == sorted(project["dependencies"])


def test_environment_installs_the_project_with_test_extras():
    env = yaml.safe_load((project_root() / "environment.yml").read_text())
    assert "-e .[test,reference]" in _pip_section(env)
    python = [d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python=")]
    assert python == ["python=3.11"]
