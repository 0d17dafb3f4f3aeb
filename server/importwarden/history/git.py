"""The ``git`` executable through ``subprocess``, and a ``git cat-file --batch`` blob reader.

Why the executable and not a library: git is already on every machine that has a history to
read, its rename detection (``-M``) is the reference behaviour users know from ``git log``, and
``cat-file --batch`` streams blobs as fast as a library would. pygit2/dulwich would add a
compiled or slow dependency for the same answers.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from importwarden.errors import ImportwardenError

# Reproducible output whatever the user's configuration says (colour, pager, quoting of
# non-ASCII paths, locale of messages).
_ENV_OVERRIDES = {"GIT_PAGER": "cat", "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"}
_CONFIG = ("-c", "core.quotepath=false", "-c", "color.ui=false", "-c", "log.showSignature=false")


class GitError(ImportwardenError):
    """A git repository that cannot be read as asked: one line, exit 2."""


@dataclass(frozen=True)
class Commit:
    sha: str
    date: str  # ISO 8601 author date
    author: str
    subject: str


class Repo:
    """One repository, found from a directory inside its work tree."""

    def __init__(self, start: Path):
        self.start = Path(start)
        try:
            top = self.run("rev-parse", "--show-toplevel", cwd=self.start).strip()
        except GitError:
            raise GitError(f"{self.start}: not a git repository (the history commands read "
                           "the project's git history)") from None
        self.top = Path(top)

    def run(self, *args: str, cwd: Path | None = None, check: bool = True) -> str:
        env = {**os.environ, **_ENV_OVERRIDES}
        try:
            done = subprocess.run(["git", *_CONFIG, *args], cwd=cwd or self.top, env=env,
                                  capture_output=True, check=False)
        except FileNotFoundError:
            raise GitError("git is not installed (the history commands need the git "
                           "executable on PATH)") from None
        if check and done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise GitError(f"git {args[0]}: {message[0] if message else 'failed'}")
        return done.stdout.decode("utf-8", "surrogateescape")

    def run_later(self, *args: str) -> Callable[[], str]:
        """``run`` started now, its output read when the returned function is called (git
        writes into a temporary file meanwhile, so it never waits for a reader)."""
        import tempfile

        env = {**os.environ, **_ENV_OVERRIDES}
        # (closed by ``result``: they outlive this call)
        out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()  # noqa: SIM115
        try:
            proc = subprocess.Popen(["git", *_CONFIG, *args], cwd=self.top, env=env,
                                    stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        except FileNotFoundError:
            out.close()
            err.close()
            raise GitError("git is not installed (the history commands need the git "
                           "executable on PATH)") from None

        def result() -> str:
            with out, err:
                returncode = proc.wait()
                out.seek(0)
                err.seek(0)
                if returncode != 0:
                    message = err.read().decode("utf-8", "replace").strip().splitlines()
                    raise GitError(f"git {args[0]}: {message[0] if message else 'failed'}")
                return out.read().decode("utf-8", "surrogateescape")

        return result

    def is_shallow(self) -> bool:
        return self.run("rev-parse", "--is-shallow-repository").strip() == "true"

    def resolve(self, rev: str) -> str:
        """The full sha of ``rev``; a one-line error when there is no such commit."""
        out = self.run("rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}",
                       check=False).strip()
        if not out:
            raise GitError(f"{rev}: no such commit in {self.top}")
        return out

    def has_commits(self) -> bool:
        return bool(self.run("rev-parse", "--verify", "--quiet", "HEAD^{commit}",
                             check=False).strip())

    def ls_tree(self, rev: str) -> dict[str, str]:
        """path -> blob sha of every file in ``rev``."""
        out = self.run("ls-tree", "-r", "-z", "--full-tree", rev)
        files = {}
        for item in out.split("\0"):
            if not item:
                continue
            meta, _, path = item.partition("\t")
            _mode, kind, sha = meta.split()
            if kind == "blob":
                files[path] = sha
        return files


class BlobReader:
    """``git cat-file --batch``: one process, blobs by sha, as bytes."""

    def __init__(self, repo: Repo):
        env = {**os.environ, **_ENV_OVERRIDES}
        # (a 64 KiB read buffer: the first commit of a walk streams every blob of the tree)
        self._proc = subprocess.Popen(["git", *_CONFIG, "cat-file", "--batch"], cwd=repo.top,
                                      env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=subprocess.DEVNULL, bufsize=1 << 16)

    def read(self, sha: str) -> bytes | None:
        assert self._proc.stdin and self._proc.stdout
        self._proc.stdin.write(sha.encode() + b"\n")
        self._proc.stdin.flush()
        header = self._proc.stdout.readline().split()
        if len(header) < 3 or header[1] == b"missing":
            return None
        size = int(header[2])
        data = self._proc.stdout.read(size)
        self._proc.stdout.read(1)  # the newline after the contents
        return data

    def read_many(self, shas: list[str]) -> dict[str, bytes]:
        """Several blobs in one round trip (the requests are written before reading)."""
        assert self._proc.stdin and self._proc.stdout
        out: dict[str, bytes] = {}
        # Writing everything first could fill both pipes; chunks keep it bounded.
        for i in range(0, len(shas), 256):
            chunk = shas[i:i + 256]
            self._proc.stdin.write(b"".join(s.encode() + b"\n" for s in chunk))
            self._proc.stdin.flush()
            for sha in chunk:
                header = self._proc.stdout.readline().split()
                if len(header) < 3 or header[1] == b"missing":
                    continue
                size = int(header[2])
                out[sha] = self._proc.stdout.read(size)
                self._proc.stdout.read(1)
        return out

    def close(self) -> None:
        if self._proc.stdin:
            self._proc.stdin.close()
        self._proc.wait()

    def __enter__(self) -> BlobReader:  # noqa: PYI034
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


ZERO = "0" * 40


@dataclass(frozen=True)
class Change:
    """One file of a commit's ``--raw`` diff against its first parent."""

    status: str  # A, M, D, R (C and T are read as A and M)
    old_path: str | None
    new_path: str | None
    old_blob: str | None
    new_blob: str | None
    similarity: int = 100  # R: git's score


def parse_raw(text: str) -> list[tuple[Commit, list[Change]]]:
    """``git log -z --raw --no-abbrev --format=%x01%H%x1f%aI%x1f%an%x1f%s`` output."""
    commits: list[tuple[Commit, list[Change]]] = []
    for block in text.split("\x01")[1:]:
        header, _, rest = block.partition("\n")
        sha, date, author, subject = (header.strip("\0").split("\x1f") + ["", "", ""])[:4]
        fields = rest.strip("\n\0").split("\0") if rest.strip("\n\0") else []
        changes: list[Change] = []
        i = 0
        while i < len(fields):
            meta = fields[i].lstrip("\n")
            if not meta.startswith(":"):
                i += 1
                continue
            parts = meta[1:].split()
            old_blob, new_blob, status = parts[2], parts[3], parts[4]
            kind = status[0]
            if kind in "RC":
                old_path, new_path = fields[i + 1], fields[i + 2]
                i += 3
                score = int(status[1:] or 100)
                if kind == "C":
                    changes.append(Change("A", None, new_path, None, new_blob))
                else:
                    changes.append(Change("R", old_path, new_path, old_blob, new_blob, score))
                continue
            path = fields[i + 1]
            i += 2
            if kind == "A":
                changes.append(Change("A", None, path, None, new_blob))
            elif kind == "D":
                changes.append(Change("D", path, None, old_blob, None))
            else:
                changes.append(Change("M", path, path, old_blob, new_blob))
        commits.append((Commit(sha, date, author, subject), changes))
    return commits


LOG_FORMAT = "--format=%x01%H%x1f%aI%x1f%an%x1f%s"
