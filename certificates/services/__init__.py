"""The lifecycle's service layer: the one place that changes state, checks access and audits.

API endpoints, HTML views, Django admin actions, management commands and Celery tasks all call
these functions, so every path records the same audit events and obeys the same rules.
"""
