class CorpusAdminSubAgent:
    pass
