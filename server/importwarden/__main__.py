from importwarden.cli import entry

entry()
