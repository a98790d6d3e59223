"""Pages anyone may open without signing in: the list of the city's official SNS accounts."""
