"""Base class of every agent (the registry's canonical BaseAgent)."""


class BaseAgent:
    name = "base"

    def run(self, context):
        raise NotImplementedError
