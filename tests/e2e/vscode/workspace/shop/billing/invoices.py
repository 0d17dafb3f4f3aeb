"""Invoices."""


class Invoice:
    pass
