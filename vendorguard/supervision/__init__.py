"""Supervising contractors (委託先の監督): the staff roster (従事者名簿) and the exit checklist."""
