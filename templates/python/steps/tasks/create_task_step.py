import uuid

from motia import ApiResponse, enqueue, http, logger

TASK = {
    "type": "object",
    "properties": {"title": {"type": "string", "minLength": 1}},
    "required": ["title"],
}

config = {
    "name": "CreateTask",
    "description": "Accepts a task and hands it to the background for storage",
    "flows": ["tasks"],
    "triggers": [http("POST", "/tasks", body_schema=TASK)],
    "enqueues": ["task.created"],
}


def handler(request, ctx):
    title = (request.body or {}).get("title", "").strip()
    if not title:
        return ApiResponse(status=400, body={"error": "title must not be blank"})
    task = {"id": uuid.uuid4().hex[:12], "title": title, "done": False}
    enqueue({"topic": "task.created", "data": task})
    logger.info("task received", {"id": task["id"]})
    return ApiResponse(status=202, body={"id": task["id"]})
