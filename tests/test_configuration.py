"""Every environment variable the settings read is documented in docs/configuration.md."""

import re
import subprocess
import sys

from tests.conftest import REPO


def _variables_read_by_settings() -> set[str]:
    source = (REPO / "observatory" / "settings.py").read_text(encoding="utf-8")
    return set(re.findall(r'env_(?:str|bool|int|list)\("([A-Z_0-9]+)"', source))


def test_every_setting_is_documented():
    documented = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    variables = _variables_read_by_settings()
    assert len(variables) > 10
    missing = sorted(v for v in variables if f"`{v}`" not in documented)
    assert not missing, f"undocumented in docs/configuration.md: {missing}"


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {"PATH": "/usr/bin:/bin", "DEBUG": "false"}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=REPO, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr.split("ImproperlyConfigured")[-1]


def test_production_settings_pass_the_deploy_check():
    env = {"PATH": "/usr/bin:/bin", "DEBUG": "false", "ALLOWED_HOSTS": "observatory.example.org",
           "SECRET_KEY": "x" * 20 + "-a-long-and-random-enough-production-secret-for-this-test"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=REPO,
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr + result.stdout
