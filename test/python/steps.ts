/** Python step files several test files use. */

/** `GET /slow`: answers after 1.5 s with the pid of the process that ran it. */
export const SLOW_STEP = `import asyncio, os
from motia import http
config = {"name": "Slow", "triggers": [http("GET", "/slow")]}
async def handler(req):
    await asyncio.sleep(1.5)
    return {"status": 200, "body": {"pid": os.getpid()}}
`
