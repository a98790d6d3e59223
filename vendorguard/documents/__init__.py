"""Generated documents: the contract security appendix, cloud requirements, SNS procedures."""
