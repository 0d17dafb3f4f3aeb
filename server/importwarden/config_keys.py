"""The keys of importwarden's settings.

``importwarden.config`` reads them; the registry's TOML reader (``registry/toml.py``) accepts
them beside its own, because ``importwarden.toml`` holds both. Kept in a module of their own
so that the registry layer needs not import the settings.
"""

SETTING_KEYS = ("registry", "roots", "select", "ignore", "per-file-ignores", "exclude",
                "extend-exclude", "services", "severity", "completion", "fail-level")
