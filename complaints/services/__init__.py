"""The work of the register, one module per area.

Services take the acting user explicitly, ask ``complaints.access`` what is allowed, write audit
entries through ``audit_trail``, flush but never commit, and never touch the HTTP request or session.
"""
