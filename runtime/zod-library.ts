/**
 * The binary's zod as step files see it: every export of `zod` (its 40-odd locales included) and
 * `zod/v3`. The runtime itself uses a few schema builders, which is all the CLI's bundle keeps; a
 * compiled binary carries this file as an entrypoint of its own (build.ts), parsed only when a
 * step first imports `zod` (runtime/builtin-modules.ts).
 */
export * as zod from 'zod'
export * as zodV3 from 'zod/v3'
