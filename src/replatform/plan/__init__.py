"""The migration plan: phases by risk and value, readiness from findings, effort, savings, ROI."""
