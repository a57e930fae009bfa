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


def test_redis_url_shares_the_caches_through_a_real_redis_server():
    """REDIS_URL must work with what the project installs (the redis client is a dependency)."""
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        import pytest

        pytest.skip("no Redis server on 127.0.0.1:6379: start one to run this test")
    script = ("import django; django.setup()\n"
              "from django.core.cache import caches\n"
              "for alias in ('default', 'pages'):\n"
              "    caches[alias].set('observatory-config-test', alias, 5)\n"
              "    assert caches[alias].get('observatory-config-test') == alias, alias\n"
              "    caches[alias].delete('observatory-config-test')\n"
              "caches['default'].set('observatory-config-count', 1, 5)\n"
              "assert caches['default'].incr('observatory-config-count') == 2\n"
              "caches['default'].delete('observatory-config-count')\n"
              "from observatory.api.ratelimit import _count\n"
              "assert [_count('observatory-config-window', 5) for _ in range(3)] == [1, 2, 3]\n"
              "caches['default'].delete('observatory-config-window')\n"
              "print(type(caches['pages']).__name__)\n")
    env = {"PATH": "/usr/bin:/bin", "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "observatory.settings",
           "REDIS_URL": "redis://127.0.0.1:6379/14"}
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "RedisCache"
