"""oversight feature: the yearly oversight report (委託先等の監督状況報告) — page, .docx and .xlsx."""
