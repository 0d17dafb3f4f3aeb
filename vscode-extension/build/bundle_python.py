"""Build ``bundled/``: the importwarden server and its dependencies, shipped inside the .vsix.

Layout (what ``python/server.py`` -> ``bundled/tool/server.py`` expects):
  bundled/libs/              pure-Python wheels identical for every supported CPython, and the
                             ``importwarden`` package copied from ``server/importwarden``
  bundled/libs-cp3XX/        per CPython version: native wheels (libcst, pyyaml, ...) and any
                             pure wheel whose resolved version differs between versions
  bundled/tool/server.py     the launcher
  bundled/manifest.json      versions and wheels, for the launcher's messages and for humans

Wheels come from PyPI with ``pip download --only-binary=:all: --python-version 3.XX --platform
manylinux...``, so the build does not depend on which Python runs it. They are cached inside
the checkout (``.cache/importwarden/bundle-wheels/<key>``, git-ignored, keyed by the dependency list and
versions), so a rebuild is offline and takes seconds.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

try:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
except ModuleNotFoundError:  # pip always carries a copy
    from pip._vendor.packaging.requirements import Requirement
    from pip._vendor.packaging.utils import canonicalize_name

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

HERE = Path(__file__).resolve().parent
EXTENSION = HERE.parent
REPO = EXTENSION.parent
BUNDLED = EXTENSION / "bundled"
# linux-x64 .vsix; the newest CPython is optional (its wheels may not exist yet).
VERSIONS = ["3.10", "3.11", "3.12", "3.13"]
OPTIONAL_VERSIONS = ["3.14"]
PLATFORMS = [
    "manylinux2014_x86_64",
    "manylinux_2_17_x86_64",
    "manylinux_2_28_x86_64",
    "manylinux_2_5_x86_64",
    "manylinux1_x86_64",
]
# Left out of the bundle: jedi's stubs for third-party PyPI packages (4,300 files, half the
# .vsix's file count, which is what makes installing it slow). jedi then reads a third-party
# package's own source, which is what importwarden asks it about; stdlib stubs stay.
PRUNE = ["jedi/third_party/typeshed/stubs"]
# Inside the checkout (git-ignored), as scripts/setup-vscode-e2e keeps its downloads.
CACHE = Path(os.environ.get("IMPORTWARDEN_CACHE",
                           Path(__file__).resolve().parents[2] / ".cache" / "importwarden"))


def log(msg: str) -> None:
    print(f"bundle-python: {msg}", file=sys.stderr)


def requirements() -> list[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return list(project["dependencies"])


def target_environment(version: str) -> dict[str, str]:
    """PEP 508 marker values of a linux-x64 CPython ``version``."""
    return {
        "implementation_name": "cpython",
        "implementation_version": f"{version}.0",
        "os_name": "posix",
        "platform_machine": "x86_64",
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_system": "Linux",
        "platform_version": "",
        "python_full_version": f"{version}.0",
        "python_version": version,
        "sys_platform": "linux",
        "extra": "",
    }


def missing_requirements(dest: Path, version: str, reqs: list[str]) -> list[str]:
    """Requirements the target version needs that pip left out.

    ``pip download --python-version`` evaluates environment markers against the Python running
    pip, not the target (so building on 3.11 drops ``tomli; python_version < '3.11'`` for 3.10).
    This walks the downloaded wheels' Requires-Dist with the target's markers instead.
    """
    env = target_environment(version)
    have = set()
    wanted: list[Requirement] = [Requirement(r) for r in reqs]
    for wheel in dest.glob("*.whl"):
        have.add(canonicalize_name(wheel.name.split("-")[0]))
        with zipfile.ZipFile(wheel) as zf:
            meta = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
            for line in zf.read(meta).decode("utf-8").splitlines():
                if line.startswith("Requires-Dist:"):
                    wanted.append(Requirement(line.split(":", 1)[1].strip()))
            # METADATA headers end at the first blank line; the loop above reads a little more
            # than needed, which is harmless (descriptions do not start with "Requires-Dist:").
    missing = []
    for req in wanted:
        if req.marker is not None and not req.marker.evaluate(env):
            continue
        if canonicalize_name(req.name) not in have:
            req.marker = None
            missing.append(str(req))
    return sorted(set(missing))


def download(version: str, reqs: list[str], dest: Path) -> bool:
    """Downloads the wheels for one CPython version into ``dest``; False if pip cannot."""
    if (dest / ".complete").exists():
        return True
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    todo = list(reqs)
    for _ in range(5):
        cmd = [
            sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
            "--only-binary=:all:", "--implementation", "cp", "--python-version", version,
            *[arg for p in PLATFORMS for arg in ("--platform", p)],
            "--dest", str(dest), *todo,
        ]
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0:
            shutil.rmtree(dest, ignore_errors=True)
            log(f"pip download for Python {version} failed:\n{result.stderr.strip()}")
            return False
        extra = missing_requirements(dest, version, reqs)
        if not extra:
            (dest / ".complete").touch()
            return True
        log(f"Python {version} also needs: {', '.join(extra)}")
        todo = list(reqs) + extra
    log(f"Python {version}: dependencies did not settle")
    return False


def unpack(wheel: Path, target: Path) -> None:
    """Unpacks a wheel the way an installer lays out purelib/platlib (no scripts needed)."""
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(target)
    for data_dir in target.glob("*.data"):
        for sub in ("purelib", "platlib"):
            src = data_dir / sub
            if src.is_dir():
                shutil.copytree(src, target, dirs_exist_ok=True)
        shutil.rmtree(data_dir)


def is_pure(wheel: Path) -> bool:
    return wheel.name.endswith("-none-any.whl")


def main() -> int:
    reqs = requirements()
    wheels_key = hashlib.sha256(json.dumps([reqs, VERSIONS, OPTIONAL_VERSIONS, PLATFORMS]).encode()).hexdigest()[:16]
    cache = CACHE / "bundle-wheels" / wheels_key
    key = hashlib.sha256(json.dumps([wheels_key, PRUNE]).encode()).hexdigest()[:16]
    libs = BUNDLED / "libs"
    manifest_path = BUNDLED / "manifest.json"
    try:
        previous = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        previous = {}
    if previous.get("key") == key and libs.is_dir():
        # Same wheels as last time: only importwarden itself and the launcher are refreshed.
        manifest = previous
    else:
        manifest = unpack_all(key, cache, reqs)
        if manifest is None:
            return 1
    shutil.rmtree(libs / "importwarden", ignore_errors=True)
    shutil.rmtree(BUNDLED / "tool", ignore_errors=True)
    shutil.copytree(
        REPO / "server" / "importwarden",
        libs / "importwarden",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.c"),  # (the built .so stays)
    )
    tool = BUNDLED / "tool"
    tool.mkdir()
    shutil.copy2(EXTENSION / "python" / "server.py", tool / "server.py")
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    log(f"bundled for CPython {', '.join(manifest['versions'])}: {len(manifest['common'])} shared wheels + importwarden")
    return 0


def unpack_all(key: str, cache: Path, reqs: list[str]) -> dict | None:
    """Downloads (or reuses) the wheels and lays out libs/ and libs-cp3XX/ afresh."""
    wheels: dict[str, list[Path]] = {}
    for version in VERSIONS + OPTIONAL_VERSIONS:
        dest = cache / f"cp{version.replace('.', '')}"
        if download(version, reqs, dest):
            wheels[version] = sorted(dest.glob("*.whl"))
        elif version in VERSIONS:
            log(f"cannot bundle for required Python {version}")
            return None
        else:
            log(f"skipping optional Python {version}")

    # A pure wheel goes to libs/ once when every version resolved the very same file.
    common = set.intersection(*({w.name for w in ws if is_pure(w)} for ws in wheels.values()))
    shutil.rmtree(BUNDLED, ignore_errors=True)
    libs = BUNDLED / "libs"
    libs.mkdir(parents=True)
    for wheel in next(iter(wheels.values())):
        if wheel.name in common:
            unpack(wheel, libs)
    for rel in PRUNE:
        shutil.rmtree(libs / rel, ignore_errors=True)
    per_version: dict[str, list[str]] = {}
    for version, ws in wheels.items():
        target = BUNDLED / f"libs-cp{version.replace('.', '')}"
        target.mkdir()
        per_version[version] = []
        for wheel in ws:
            if wheel.name not in common:
                unpack(wheel, target)
                per_version[version].append(wheel.name)
    return {"key": key, "versions": list(wheels), "common": sorted(common), "per_version": per_version}

if __name__ == "__main__":
    sys.exit(main())
