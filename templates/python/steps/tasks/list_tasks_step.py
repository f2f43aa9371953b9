from motia import ApiResponse, http, stateManager

config = {
    "name": "ListTasks",
    "flows": ["tasks"],
    "triggers": [http("GET", "/tasks")],
}


def handler(request, ctx):
    tasks = sorted(stateManager.list("tasks"), key=lambda t: t["title"])
    return ApiResponse(status=200, body={"tasks": tasks})
