// ScenarioModel module: see README for its role. Filled in by its issue.
