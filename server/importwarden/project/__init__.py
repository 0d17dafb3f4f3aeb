"""The project layer: what the CLI and the language server both drive.

``engine.Project`` is one project root's settings, registry and workspace index, and checks one
file; ``batch.CheckSession`` checks many files incrementally (findings cache, change detection,
a process pool); ``fix_run`` fixes many files. Everything here only calls down into
``fixes``, ``analysis``, ``workspace`` and ``registry`` (``tests/unit/test_layers.py``).
"""
