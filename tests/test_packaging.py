"""pyproject.toml, requirements.lock and environment.yml describe the same stack."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_names() -> set[str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = meta["dependencies"] + meta["optional-dependencies"]["dev"]
    return {norm(re.split(r"[<>=!~ \[;]", d, maxsplit=1)[0]) for d in deps}


def lock_versions() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[norm(name)] = version.strip()
    return pins


def environment_versions() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for pip_dep in dep["pip"]:
                name, version = pip_dep.split("==")
                pins[norm(name)] = version
        else:
            name, _, version = dep.partition("=")
            pins[norm(name)] = version
    pins.pop("python"), pins.pop("pip")
    return pins


def test_environment_yml_lists_the_same_packages_as_pyproject():
    assert set(environment_versions()) == pyproject_names()


def test_every_package_is_pinned_in_the_lock_at_the_environment_version():
    lock, env = lock_versions(), environment_versions()
    for name in pyproject_names():
        assert name in lock, f"{name} is not in requirements.lock"
        assert env[name] == lock[name], f"{name}: environment.yml {env[name]} vs lock {lock[name]}"


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
