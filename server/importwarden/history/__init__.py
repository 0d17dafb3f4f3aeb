"""What the git history says about a project's imports: ``registry suggest`` and ``report``.

Everything is read through the ``git`` executable (``git.py``), statically: no tree is checked
out and no module of the project is imported.
"""
