"""The one compiled part of importwarden: the scanner's first pass
(``server/importwarden/analysis/_lexer.c``), built against CPython's stable ABI (3.10+) so one
wheel serves every supported CPython on a platform. ``optional``: where no C compiler is
found the build goes on without it and importwarden uses the pure-Python path
(``importwarden.analysis.lexer``). Everything else is in pyproject.toml."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "importwarden.analysis._lexer",
            ["server/importwarden/analysis/_lexer.c"],
            py_limited_api=True,
            define_macros=[("Py_LIMITED_API", "0x030A0000")],
            extra_compile_args=["-O2"],
            optional=True,
        )
    ],
    options={"bdist_wheel": {"py_limited_api": "cp310"}},
)
