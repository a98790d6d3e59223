"""Assessments (確認) of arrangements and the actions (措置) that close their findings."""
