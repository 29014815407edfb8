"""OpenIOP: runs an intensive outpatient program from first inquiry to discharge."""
