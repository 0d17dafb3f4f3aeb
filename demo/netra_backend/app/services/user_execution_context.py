class UserExecutionContext:
    pass
