"""The layers of DESIGN.md §4, enforced: import-linter checks the contracts in pyproject.toml's
[tool.importlinter] against the code.

The contracts name every app of the design, also those not written yet (questions,
changerequests); import-linter refuses to look for a package that is not there, so the check
leaves out the apps that are missing today and takes them in as soon as they exist.

The second half proves the check bites: it copies the code, adds imports that break each
rule, and expects import-linter to name every one of them (and not the one sanctioned edge).
"""

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
    "importlinter"]
MODULE_LISTS = ("source_modules", "forbidden_modules", "modules", "containers")


def _top(module):
    return module.strip().strip("()").split(".")[0]


def present_packages(root):
    return [name for name in CONFIG["root_packages"] if (root / name / "__init__.py").is_file()]


def config_for(root):
    """pyproject's import-linter configuration without the apps `root` does not have yet."""
    present = set(present_packages(root))
    contracts = []
    for contract in CONFIG["contracts"]:
        contract = dict(contract)
        for key in MODULE_LISTS:
            if key in contract:
                contract[key] = [m for m in contract[key] if _top(m) in present]
        if "ignore_imports" in contract:
            contract["ignore_imports"] = [
                rule for rule in contract["ignore_imports"]
                if all(_top(side) in present for side in rule.split("->"))]
        contracts.append(contract)
    return {**CONFIG, "root_packages": sorted(present), "contracts": contracts}


def _toml(config):
    # Strings, lists of strings and booleans only: their JSON spelling is TOML too.
    lines = ["[tool.importlinter]"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in config.items()
              if key != "contracts"]
    for contract in config["contracts"]:
        lines.append("[[tool.importlinter.contracts]]")
        lines += [f"{key} = {json.dumps(value)}" for key, value in contract.items()]
    return "\n".join(lines) + "\n"


def lint_imports(root, workdir):
    """(exit status, report) of import-linter on the code at `root`."""
    config = workdir / "importlinter.toml"
    config.write_text(_toml(config_for(root)), encoding="utf-8")
    binary = Path(sys.executable).with_name("lint-imports")
    command = [str(binary) if binary.exists() else "lint-imports"]
    result = subprocess.run([*command, str(config), "--no-cache", "--no-logo"], cwd=root,
                            capture_output=True, text=True, timeout=300)
    return result.returncode, result.stdout + result.stderr


def test_the_code_keeps_the_layers_of_the_design(tmp_path):
    status, report = lint_imports(ROOT, tmp_path)
    assert status == 0, f"Imports that break DESIGN.md §4:\n{report}"


def test_every_app_of_the_design_is_in_the_contracts():
    apps = {"config", "demo", "accounts", "casework", "notifications", "onboarding", "notices",
            "incidents", "questions", "changerequests", "balances", "reports"}
    assert set(CONFIG["root_packages"]) == apps


# --- the check bites ------------------------------------------------------------------------

# (file, the import added to it, what import-linter must report)
BROKEN = [
    ("casework/layer_probe.py", "import incidents.models",
     "casework.layer_probe -> incidents.models"),
    ("notifications/layer_probe.py", "import balances.selectors",
     "notifications.layer_probe -> balances.selectors"),
    ("balances/layer_probe.py", "import onboarding.services",
     "balances.layer_probe -> onboarding.services"),
    ("onboarding/layer_probe.py", "import incidents.selectors",
     "onboarding.layer_probe -> incidents.selectors"),
    # The sanctioned edge runs one way: notices does not call incidents.
    ("notices/layer_probe.py", "import incidents.services",
     "notices.layer_probe -> incidents.services"),
    ("onboarding/layer_probe.py", "import balances.models",
     "onboarding.layer_probe -> balances.models"),
    ("config/layer_probe.py", "import notices.selectors",
     "config.layer_probe -> notices.selectors"),
    ("casework/layer_probe.py", "import accounts.services",
     "casework.layer_probe -> accounts.services"),
    ("accounts/services.py", "import balances.selectors",
     "accounts.services -> balances.selectors"),
    ("accounts/selectors.py", "import casework.services",
     "accounts.selectors -> casework.services"),
    ("accounts/permissions.py", "import accounts.services",
     "accounts.permissions -> accounts.services"),
]
SANCTIONED = ("incidents/layer_probe.py", "import notices.services", "incidents.layer_probe ->")


def _python_only(directory, names):
    return [name for name in names if name == "__pycache__" or (
        os.path.isfile(os.path.join(directory, name)) and not name.endswith(".py"))]


@pytest.fixture(scope="module")
def broken_report(tmp_path_factory):
    """import-linter's report on a copy of the code with every import of BROKEN added."""
    copy = tmp_path_factory.mktemp("code")
    for package in present_packages(ROOT):
        shutil.copytree(ROOT / package, copy / package, ignore=_python_only)
    for path, line, _expected in [*BROKEN, SANCTIONED]:
        with open(copy / path, "a", encoding="utf-8") as module:
            module.write(f"\n{line}\n")
    status, report = lint_imports(copy, tmp_path_factory.mktemp("config"))
    assert status != 0, report
    return report


@pytest.mark.parametrize(("path", "line", "expected"), BROKEN,
                         ids=[expected for _path, _line, expected in BROKEN])
def test_an_import_against_the_layers_fails_the_check(broken_report, path, line, expected):
    assert expected in broken_report, broken_report


def test_incidents_may_call_notices_services(broken_report):
    assert SANCTIONED[2] not in broken_report, broken_report
