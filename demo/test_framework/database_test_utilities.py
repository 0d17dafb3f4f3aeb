class DatabaseTestUtilities:
    pass
