"""Risk tiers (リスク区分) of engagements: rules as data, what a tier sets, the concentration view."""
