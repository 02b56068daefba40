"""Running a database's suites for a run: parameters from the policy, results and quarantine stored."""
