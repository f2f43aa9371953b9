/**
 * chokidar, which only `motia dev` runs. A compiled binary carries this file as an entrypoint of
 * its own (build.ts), parsed when the dev watcher starts (runtime/dev-watcher.ts).
 */
export { watch } from 'chokidar'
