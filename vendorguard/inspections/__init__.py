"""On-site inspections (実地検査) of engagements: annual plan, record, photos, findings, report."""
