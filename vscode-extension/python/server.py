"""Start the importwarden language server bundled in the VS Code extension.

Puts the bundled libraries on sys.path (``libs-cp3XX`` for this CPython's native wheels, then
``libs``) and runs ``importwarden lsp`` over stdio. ``--probe`` prints one JSON line saying
whether this interpreter can run the bundled server; the extension runs it first so an
unsupported Python gets a clear message instead of a crash. ``--check`` imports the server and
its native dependencies and prints their versions (for tests and troubleshooting).

Written to run (and say no) on any Python: no f-strings, no annotations.
"""

import json
import os
import sys

BUNDLED = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def supported_versions():
    found = []
    for name in sorted(os.listdir(BUNDLED)):
        if name.startswith("libs-cp3") and name[len("libs-cp3"):].isdigit():
            found.append("3." + name[len("libs-cp3"):])
    return sorted(found, key=lambda v: int(v.split(".")[1]))


def check():
    """Returns (supported, message)."""
    version = "%d.%d" % sys.version_info[:2]
    impl = getattr(sys, "implementation", None)
    name = impl.name if impl is not None else "python"
    versions = supported_versions()
    span = "%s-%s" % (versions[0], versions[-1]) if versions else "none"
    if name != "cpython" or version not in versions:
        return False, (
            "importwarden: the bundled server supports CPython %s, but %s is %s %s. "
            "Select a supported interpreter (Python extension or importwarden.interpreter), "
            "or install importwarden into this environment and set importwarden.importStrategy "
            "to fromEnvironment." % (span, sys.executable, name, version)
        )
    return True, "bundled importwarden server on CPython %s (%s)" % (version, sys.executable)


def main(argv):
    ok, message = check()
    if "--probe" in argv:
        print(json.dumps({"supported": ok, "message": message, "python": "%d.%d.%d" % sys.version_info[:3]}))
        return 0
    if not ok:
        sys.stderr.write(message + "\n")
        return 3
    tag = "cp%d%d" % sys.version_info[:2]
    sys.path[:0] = [os.path.join(BUNDLED, "libs-" + tag), os.path.join(BUNDLED, "libs")]
    if "--check" in argv:
        from importlib import metadata

        import importwarden
        import libcst
        import pygls.lsp.server  # noqa: F401

        from importwarden.cli import build_parser

        from importwarden.analysis import lexer

        build_parser()
        # parse_module goes through libcst's native (Rust) parser: proves the wheel matches.
        parsed = libcst.parse_module("from a import b\n").code
        # importwarden's own compiled first pass (stable ABI: one binary for every CPython)
        sample = "import a  # b\nx = 'from'\n"
        lexer_ok = lexer.COMPILED and lexer.lex_c(sample) == lexer.lex_py(sample)
        versions = {name: metadata.version(name) for name in ("libcst", "pygls", "lsprotocol", "pyyaml")}
        print(json.dumps({
            "importwarden": importwarden.__version__,
            "importwarden_path": os.path.dirname(importwarden.__file__),
            "python": "%d.%d.%d" % sys.version_info[:3],
            "libcst_roundtrip": parsed == "from a import b\n",
            "lexer_compiled": lexer_ok,
            "versions": versions,
        }))
        return 0
    from importwarden.cli import main as cli_main

    return cli_main(["lsp"] + [a for a in argv if a != "--probe"])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
