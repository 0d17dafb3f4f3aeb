class AgentWebSocketBridge:
    pass


def create_agent_websocket_bridge() -> AgentWebSocketBridge:
    return AgentWebSocketBridge()
