"""The admin login's lockout (django-axes), as the first authentication backend.

django-axes refuses to authenticate without a request; sign-ins without one are not web logins
(the test client's ``login()``, a script calling ``authenticate()``), so there is nothing to
throttle and the next backend decides.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend

__all__ = ["LoginLockoutBackend"]


class LoginLockoutBackend(AxesStandaloneBackend):
    def authenticate(self, request=None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
