"""Property tests replay their failures: derandomized in CI, an example database locally."""

import subprocess
from pathlib import Path

from hypothesis import settings
from hypothesis.database import DirectoryBasedExampleDatabase

from tests.conftest import hypothesis_profile

ROOT = Path(__file__).resolve().parents[2]


def test_ci_is_derandomized_and_local_runs_keep_their_failures():
    assert hypothesis_profile({"CI": "true"}) == "ci"
    assert hypothesis_profile({}) == "dev"
    assert hypothesis_profile({"CI": "true", "HYPOTHESIS_PROFILE": "dev"}) == "dev"
    ci, dev = settings.get_profile("ci"), settings.get_profile("dev")
    assert ci.derandomize and ci.database is None
    assert not dev.derandomize
    assert isinstance(dev.database, DirectoryBasedExampleDatabase)
    assert Path(dev.database.path) == ROOT / ".hypothesis" / "examples"
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", ".hypothesis/examples/x"], cwd=ROOT, check=False
    )
    assert ignored.returncode == 0  # the example database is never committed


def test_the_profile_in_force_follows_the_environment():
    import os

    expected = settings.get_profile(hypothesis_profile(os.environ))
    assert settings.default.derandomize == expected.derandomize
    assert settings.default.database == expected.database
