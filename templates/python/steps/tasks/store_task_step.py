from motia import Stream, logger, queue, stateManager

# Clients subscribed to the `tasks` stream (group "all") see each task as it is stored.
feed = Stream("tasks")

config = {
    "name": "StoreTask",
    "description": "Stores the task and publishes it on the live feed",
    "flows": ["tasks"],
    "triggers": [queue("task.created")],
}


def handler(task, ctx):
    stateManager.set("tasks", task["id"], dict(task))
    feed.set("all", task["id"], dict(task))
    logger.info("task stored", {"id": task["id"]})
