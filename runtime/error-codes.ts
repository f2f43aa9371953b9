/**
 * The catalogue of stable error codes. Each code is documented in docs/errors.md;
 * runtime/errors.test.ts keeps the two in step.
 */
export const ERROR_CODES = {
  E_CONFIG_INVALID: { status: 500, summary: 'config.yaml is not valid' },
  E_CONFIG_READ: { status: 500, summary: 'config.yaml could not be read or parsed' },
  E_STEP_LOAD: { status: 500, summary: 'a step file could not be imported (syntax error, throwing module)' },
  E_STEP_CONFIG_INVALID: { status: 500, summary: 'a step config does not match the expected shape' },
  E_STEP_DUPLICATE_NAME: {
    status: 500,
    summary: 'two stream files share one name (two step files with one name both load, with a warning)',
  },
  E_ROUTE_DUPLICATE: { status: 500, summary: 'two HTTP triggers share one method and path' },
  E_ROUTE_CONFLICT: {
    status: 500,
    summary: 'an HTTP trigger the router cannot serve with another one (or a path naming a parameter twice)',
  },
  E_ROUTE_RESERVED: {
    status: 500,
    summary: 'an HTTP trigger on the path of a health probe (health.live / health.ready)',
  },
  E_TRIGGER_UNKNOWN: { status: 500, summary: 'a trigger type no module serves' },
  E_PROJECT_INVALID: { status: 500, summary: 'the project has load errors (start refuses to run)' },
  E_ROUTE_NOT_FOUND: { status: 404, summary: 'no HTTP step matches the method and path' },
  E_METHOD_NOT_IMPLEMENTED: {
    status: 501,
    summary: 'an HTTP method no step can declare (CONNECT, TRACE, PROPFIND, ...)',
  },
  E_BODY_MALFORMED: { status: 400, summary: 'the request body could not be parsed (e.g. malformed JSON)' },
  E_BODY_INVALID: { status: 400, summary: 'the request body does not match the bodySchema' },
  E_BODY_TOO_LARGE: { status: 413, summary: 'the request body is over the configured limit' },
  E_BODY_TIMEOUT: { status: 408, summary: 'the request body did not arrive within http.bodyTimeout' },
  E_UNSUPPORTED_MEDIA_TYPE: { status: 415, summary: 'the route accepts another content type (POST /emit: JSON only)' },
  E_EMIT_UNAUTHORIZED: {
    status: 401,
    summary: 'POST /emit without its token (Authorization: Bearer <http.emit.token>)',
  },
  E_CONDITION_NOT_MET: { status: 422, summary: 'the HTTP trigger condition returned false' },
  E_HANDLER_FAILED: {
    status: 500,
    summary: 'the handler threw, or answered with a status or header HTTP cannot carry (named in `message`)',
  },
  E_HANDLER_NO_RESPONSE: { status: 500, summary: 'an HTTP handler returned nothing and wrote no response' },
  E_HANDLER_TIMEOUT: { status: 504, summary: 'the handler ran longer than its timeout' },
  E_STEP_LOAD_TIMEOUT: {
    status: 504,
    summary:
      'a step file took longer than its load timeout (60 s, or the handler timeout if longer) to import in a step worker',
  },
  E_OVERLOADED: { status: 503, summary: 'more requests in flight than the concurrency limit' },
  E_CLIENT_OVERLOADED: {
    status: 429,
    summary: 'one client address has more request bodies arriving than http.pendingBodiesPerClient',
  },
  E_SHUTTING_DOWN: {
    status: 503,
    summary: 'the process is draining (SIGTERM): a request on a connection opened before; retry elsewhere',
  },
  E_STATE_OP_INVALID: { status: 500, summary: 'a state UpdateOp is malformed or applies to a non-matching value' },
  E_ADAPTER_UNKNOWN: { status: 500, summary: 'config names an adapter that does not exist' },
  E_STREAM_UNKNOWN: { status: 500, summary: 'a stream operation named a stream no *.stream.ts file defines' },
  E_STREAM_OP_INVALID: {
    status: 500,
    summary: 'a stream operation got malformed arguments (ids must be strings, items objects)',
  },
  E_VALUE_NOT_STORABLE: {
    status: 500,
    summary: 'a ctx call got a value that is not plain data (a Promise, a function)',
  },
  E_NOT_IN_EXECUTION: { status: 500, summary: 'a module-level SDK call ran outside any step execution' },
  E_STORAGE_BUSY: { status: 503, summary: 'another process holds a lock on a SQLite file for too long; retry later' },
  E_STORAGE_FULL: { status: 507, summary: 'the disk holding a SQLite file is full' },
  E_STORAGE_READONLY: { status: 503, summary: 'a SQLite file (or its folder) cannot be written' },
  E_STORAGE_CORRUPT: { status: 500, summary: 'a SQLite file is not a database or is damaged' },
  E_STORAGE_FAILED: { status: 500, summary: 'a SQLite file could not be read or written (another I/O error)' },
  E_REDIS_UNAVAILABLE: { status: 503, summary: 'Redis (redis.url) cannot be reached; retry later' },
  E_RABBITMQ_UNAVAILABLE: {
    status: 503,
    summary: 'RabbitMQ (rabbitmq.url) cannot be reached; retry later (the queue reconnects by itself)',
  },
  E_PYTHON_UNAVAILABLE: {
    status: 500,
    summary: 'no Python interpreter for the Python steps (MOTIA_PYTHON, python.interpreter, .venv, python3 on PATH)',
  },
  E_PYTHON_PROCESS_EXITED: {
    status: 500,
    summary: 'the python process running a handler exited (crash, os._exit, killed) before it finished',
  },
  E_APP_DIR_UNSAFE: {
    status: 500,
    summary:
      'a compiled app cannot unpack its files privately (temp folder others can swap entries in) or they do not match the embedded ones',
  },
  E_APP_NATIVE_ADDON: {
    status: 500,
    summary: 'build --compile: a step imports a native addon (a .node binary), which a compiled app cannot carry',
  },
  E_INTERNAL: { status: 500, summary: 'an error with a code this catalogue lacks; the original code is in details' },
} as const satisfies Record<string, { status: number; summary: string }>

export type ErrorCode = keyof typeof ERROR_CODES
