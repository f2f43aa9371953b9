from motia import cron, logger, stateManager

config = {
    "name": "DailyDigest",
    "description": "Logs how many tasks are still open, every day at 09:00 UTC",
    "flows": ["tasks"],
    "triggers": [cron("0 9 * * *")],
}


def handler(input, ctx):
    tasks = stateManager.list("tasks")
    open_tasks = [t for t in tasks if not t.get("done")]
    logger.info("daily digest", {"open": len(open_tasks), "total": len(tasks)})
    return len(open_tasks)
