class AgentRegistry:
    pass


def get_agent_registry() -> AgentRegistry:
    return AgentRegistry()
