from motia import ApiResponse, http

config = {
    "name": "Hello",
    "description": "The smallest HTTP step",
    "flows": ["tasks"],
    "triggers": [http("GET", "/hello")],
}


def handler(request, ctx):
    return ApiResponse(status=200, body={"message": "Hello from Python!", "traceId": ctx.trace_id})
