"""Find or fetch a Miniflux binary for the sync tests; prints its path (exit 1 with a reason).

Order: ``miniflux`` on PATH; the copy cached by an earlier run; else Debian trixie's package,
downloaded with ``apt-get download`` against a private apt state whose source reuses the
mirror this machine's apt already uses (no host name is written here), and unpacked with
``dpkg-deb -x``. The package is never installed: its maintainer scripts want debconf and
a system service, and the tests need only the static binary.

Usage: python scripts/get_miniflux.py [--cache DIR]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SUITE = "trixie"
KEYRING = Path("/usr/share/keyrings/debian-archive-keyring.gpg")
APT_SOURCES = (Path("/etc/apt/sources.list.d"), Path("/etc/apt/sources.list"))


def default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "newsterm-tests" / "miniflux"


def debian_mirror() -> str | None:
    """The URI of the first Debian (not security) source apt is configured with."""
    texts: list[str] = []
    for place in APT_SOURCES:
        if place.is_dir():
            texts += [p.read_text(errors="replace") for p in sorted(place.glob("*.sources"))]
            texts += [p.read_text(errors="replace") for p in sorted(place.glob("*.list"))]
        elif place.is_file():
            texts.append(place.read_text(errors="replace"))
    for text in texts:
        # deb822 stanzas ("URIs: …") and one-line entries ("deb [opts] URI suite …").
        for uri in re.findall(r"^URIs:\s*(\S+)", text, re.M) + re.findall(
            r"^deb\s+(?:\[[^\]]*\]\s+)?(\S+)", text, re.M
        ):
            web = uri.startswith(("http://", "https://"))
            if web and "security" not in uri and uri.rstrip("/").endswith("/debian"):
                return uri
    return None


def fetch(cache: Path) -> Path:
    found = shutil.which("miniflux")
    if found:
        return Path(found)
    binary = cache / "usr" / "bin" / "miniflux"
    if binary.exists():
        return binary
    apt_get, dpkg_deb = shutil.which("apt-get"), shutil.which("dpkg-deb")
    if apt_get is None or dpkg_deb is None:
        raise SystemExit("no miniflux on PATH, and no apt-get/dpkg-deb to fetch Debian's package")
    mirror = debian_mirror()
    if mirror is None:
        raise SystemExit("no Debian mirror in apt's sources to fetch miniflux from")
    with tempfile.TemporaryDirectory(prefix="newsterm-apt-") as work:
        root = Path(work)
        for sub in ("state/lists/partial", "cache/archives/partial", "etc"):
            (root / sub).mkdir(parents=True)
        signed = f"[signed-by={KEYRING}] " if KEYRING.exists() else ""
        (root / "etc" / "sources.list").write_text(f"deb {signed}{mirror} {SUITE} main\n")
        options = [
            f"-oDir::State={root / 'state'}",
            f"-oDir::Cache={root / 'cache'}",
            f"-oDir::Etc::SourceList={root / 'etc' / 'sources.list'}",
            "-oDir::Etc::SourceParts=/nonexistent",
            "-oDir::State::status=/var/lib/dpkg/status",
            "-oAPT::Sandbox::User=root",  # the download lands in our temporary folder
            "-q",
        ]
        for step in (["update"], ["download", "miniflux"]):
            result = subprocess.run(
                [apt_get, *options, *step], cwd=root, capture_output=True, text=True, check=False
            )
            if result.returncode != 0:
                raise SystemExit(f"apt-get {step[0]} failed: {result.stderr.strip()[-300:]}")
        debs = sorted(root.glob("miniflux_*.deb"))
        if not debs:
            raise SystemExit("apt-get download gave no miniflux package")
        unpacked = root / "unpacked"
        subprocess.run([dpkg_deb, "-x", str(debs[-1]), str(unpacked)], check=True)
        cache.mkdir(parents=True, exist_ok=True)
        target = cache / "usr" / "bin"
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(unpacked / "usr" / "bin" / "miniflux", target / "miniflux")
    return binary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=default_cache())
    args = parser.parse_args()
    try:
        print(fetch(args.cache))
    except SystemExit as reason:
        print(f"get_miniflux: {reason}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
