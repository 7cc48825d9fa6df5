"""What the API and the command line both do: intake, schedules, a case as JSON."""
