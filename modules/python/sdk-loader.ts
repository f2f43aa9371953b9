import { embeddedEntry } from '../../runtime/embedded-entries'

declare const MOTIA_SPLIT_ENTRIES: boolean | undefined

/**
 * The Python SDK's text (sdk-files.ts, 110 kB), read only by projects with Python steps and by
 * `create`/`install`. In a compiled binary it is an entrypoint apart (build.ts), so other
 * starts do not parse it; the define folds this test.
 */
export function pythonSdkFiles(): Promise<typeof import('./sdk-files')> {
  return typeof MOTIA_SPLIT_ENTRIES === 'boolean'
    ? import(embeddedEntry('modules/python/sdk-files'))
    : import('./sdk-files')
}
