"""The requirement catalog, applicability rules, the clause library and coverage per arrangement."""
