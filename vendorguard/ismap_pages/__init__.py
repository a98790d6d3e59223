"""The ISMAP list's pages: imports, registrations and matching them with cloud services.

They sit above ``cloud`` (a registration page lists the services that name it, a service's
matching page links one), while ``ismap`` itself (list parsing, import, status) sits below it.
"""
