"""Email-to-fax: the SMTP transport (transport.py) and the password seam (secrets.py).

The outbox lives in storage/fax_jobs.py and the use cases in services/fax.py.
"""
