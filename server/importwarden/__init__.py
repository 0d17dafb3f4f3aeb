"""importwarden: keep a codebase's imports on the paths its import registry names as canonical."""

__version__ = "0.1.0"
