"""The only modules of quantum that touch a library's private names: one small adapter per library.

Each adapter says in its docstring which private names it uses, why no public API does the job, and
what it saves; tests/auth/test_library_contracts.py fails, naming the installed version, as soon as
an upgrade changes any of them.
"""
