"""Read side: functions (session, principal, filters) -> pandas DataFrames.

Each issues a bounded number of SQL statements whatever the portfolio size, and applies the
principal's scope in SQL. Aggregation happens in SQL or in the indicator engine, never in
Python loops over ORM objects.
"""
