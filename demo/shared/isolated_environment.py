class IsolatedEnvironment:
    pass


def get_env() -> IsolatedEnvironment:
    return IsolatedEnvironment()
