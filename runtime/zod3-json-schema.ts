/**
 * zod-to-json-schema, for the zod 3 schemas of projects that bring their own zod 3, with the zod
 * 3 code it needs. A compiled binary carries this file as an entrypoint of its own (build.ts),
 * parsed only when such a schema is first converted (runtime/schema.ts).
 */
export { ignoreOverride, zodToJsonSchema } from 'zod-to-json-schema'
