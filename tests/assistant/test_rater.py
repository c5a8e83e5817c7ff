"""An anonymous rater is a keyed hash of the address: stable in one installation, not reversible by guessing."""

from __future__ import annotations

import hashlib
import stat

from assistant.config import Settings
from assistant.core import Assistant


def test_anonymous_rater_is_keyed_per_installation(tmp_path):
    a = Assistant(Settings(data_dir=tmp_path / "a"))
    again = Assistant(Settings(data_dir=tmp_path / "a"))
    b = Assistant(Settings(data_dir=tmp_path / "b"))
    ip = "203.0.113.7"
    assert a.anonymous_rater(ip) == again.anonymous_rater(ip)  # one vote per address survives a restart
    assert a.anonymous_rater(ip) != a.anonymous_rater("203.0.113.8")
    assert a.anonymous_rater(ip) != b.anonymous_rater(ip)
    # Trying every IPv4 address through the plain hash finds nothing: the key is not derivable from the address.
    assert hashlib.sha256(ip.encode()).hexdigest()[:16] not in a.anonymous_rater(ip)
    assert stat.S_IMODE((tmp_path / "a" / ".secret").stat().st_mode) == 0o600


def test_a_configured_key_is_used(tmp_path):
    one = Assistant(Settings(data_dir=tmp_path / "x", secret_key="k1"))
    two = Assistant(Settings(data_dir=tmp_path / "y", secret_key="k1"))
    assert one.anonymous_rater("198.51.100.1") == two.anonymous_rater("198.51.100.1")
    assert not (tmp_path / "x" / ".secret").exists()
