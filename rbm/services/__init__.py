"""Write side: use cases that check permission, validate, write and audit in one transaction.

Each service is a keyword-only function taking the session and the acting principal.
"""
