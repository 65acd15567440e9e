"""What the reports read: the lookup log's roll-up (`balances.rollup`) and the cases each
process registered (`casework.registry`), always scoped to the user.

Every report is a dict {"charts": [Chart], "tables": [Table]} computed in a constant number of
queries, whatever the number of rows.
"""
