class AgentExecutionTracker:
    pass


def get_execution_tracker() -> AgentExecutionTracker:
    return AgentExecutionTracker()
