import subprocess
import sys

import pytest

from tests.conftest import REPO


def test_the_observatory_command_lists_its_subcommands():
    result = subprocess.run([sys.executable, "-m", "observatory.cli"], cwd=REPO, capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin", "DEBUG": "true"})
    assert result.returncode == 0, result.stderr
    for command in ["demo", "serve", "load-curated"]:
        assert f"  {command} " in result.stdout


def test_a_missing_folder_is_a_clear_error_not_a_traceback(tmp_path):
    result = subprocess.run([sys.executable, "-m", "observatory.cli", "load-curated", str(tmp_path / "nope")],
                            cwd=REPO, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "DEBUG": "true"})
    assert result.returncode != 0
    assert "no such folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_cli_reference_is_generated_from_the_commands_help():
    result = subprocess.run([sys.executable, "tools/cli_reference.py", "--check"], cwd=REPO, capture_output=True,
                            text=True, env={"PATH": "/usr/bin:/bin", "DEBUG": "true"})
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("var_dir", ["empty", "absent"])
@pytest.mark.parametrize("command", [["load-curated", "--check"], ["check-curated", "data/china"]])
def test_a_database_that_was_never_migrated_is_a_clear_error(tmp_path, var_dir, command):
    # "absent": a fresh checkout before `make demo` has no var/ folder yet
    folder = tmp_path if var_dir == "empty" else tmp_path / "var"
    env = {"PATH": "/usr/bin:/bin", "DEBUG": "true", "OBSERVATORY_VAR_DIR": str(folder)}
    result = subprocess.run([sys.executable, "-m", "observatory.cli", *command], cwd=REPO,
                            capture_output=True, text=True, env=env)
    assert result.returncode == 1
    assert "the database is not set up" in result.stderr
    assert "observatory migrate" in result.stderr
    assert "Traceback" not in result.stderr


def test_commands_work_in_a_checkout_with_no_configuration(tmp_path):
    # no SECRET_KEY, no DEBUG, and no var/ folder yet: migrate creates it
    env = {"PATH": "/usr/bin:/bin", "OBSERVATORY_VAR_DIR": str(tmp_path / "var")}
    result = subprocess.run([sys.executable, "-m", "observatory.cli", "migrate", "-v", "0"], cwd=REPO,
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    result = subprocess.run([sys.executable, "-m", "observatory.cli", "load-curated", "--check"], cwd=REPO,
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr


def test_a_configuration_error_is_a_message_not_a_traceback(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "DEBUG": "true", "OBSERVATORY_VAR_DIR": str(tmp_path),
           "OBSERVATORY_COMMENT_RATE": "lots"}
    result = subprocess.run([sys.executable, "-m", "observatory.cli", "check"], cwd=REPO, capture_output=True,
                            text=True, env=env)
    assert result.returncode == 1
    assert "OBSERVATORY_COMMENT_RATE" in result.stderr and "N/S" in result.stderr
    assert "Traceback" not in result.stderr


def test_it_lists_and_explains_every_command_in_a_fresh_shell_without_debug(tmp_path):
    # A fresh shell on a local checkout: no DEBUG, no SECRET_KEY (docs/configuration.md promises this works).
    env = {"PATH": "/usr/bin:/bin", "OBSERVATORY_VAR_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "observatory.cli"], cwd=REPO, capture_output=True, text=True,
                            env=env)
    assert result.returncode == 0, result.stderr
    commands = [line.split()[0] for line in result.stdout.splitlines() if line.startswith("  ")]
    assert {"demo", "import", "dedupe", "analyze", "export", "build-site"} <= set(commands)
    for command in commands:
        result = subprocess.run([sys.executable, "-m", "observatory.cli", command, "--help"], cwd=REPO,
                                capture_output=True, text=True, env=env)
        assert result.returncode == 0, (command, result.stderr)
        assert "Traceback" not in result.stderr
