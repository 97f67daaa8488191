"""Worker code checks: each ECS container's entry point (a discovery link) -> SIGTERM and SQS findings.

Also one `WorkerSummary` per container, which the Spot suitability and the plan read.
"""
