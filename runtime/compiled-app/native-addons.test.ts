import { afterAll, expect, test } from 'bun:test'
import { tempProject } from '../../test/support/runtime'
import { findNativeAddons, type Metafile } from './native-addons'

// A project whose node_modules holds one package of each kind a compiled app cannot carry, and
// one plain package; the metafile is what Bun.build reports for steps importing them.
const project = tempProject({
  'node_modules/gyp-pkg/package.json': '{"name":"gyp-pkg"}',
  'node_modules/gyp-pkg/binding.gyp': '{}',
  'node_modules/gyp-pkg/index.js': '',
  'node_modules/loader-pkg/package.json': '{"name":"loader-pkg","dependencies":{"node-gyp-build":"^4"}}',
  'node_modules/loader-pkg/index.js': '',
  'node_modules/@scope/prebuilt/package.json': '{"name":"@scope/prebuilt"}',
  'node_modules/@scope/prebuilt/index.js': '',
  'node_modules/@scope/prebuilt/build/Release/addon.node': '',
  'node_modules/split/package.json': '{"name":"split","optionalDependencies":{"split-linux":"1"}}',
  'node_modules/split/index.js': '',
  'node_modules/split-linux/package.json': '{"name":"split-linux"}',
  'node_modules/split-linux/lib/split.node': '',
  'node_modules/plain/package.json': '{"name":"plain"}',
  'node_modules/plain/index.js': '',
  'node_modules/plain/node_modules/nested-native/package.json': '{"name":"nested-native","gypfile":true}',
  'node_modules/plain/node_modules/nested-native/index.js': '',
})
afterAll(() => project.dispose())

const imports = (...paths: string[]) => ({ imports: paths.map((path) => ({ path })) })

test('names each native package with the project file that pulls it in (through other packages too) and why', () => {
  const metafile: Metafile = {
    inputs: {
      'steps/a.step.ts': imports('node_modules/gyp-pkg/index.js', 'node_modules/plain/index.js'),
      'steps/b.step.ts': imports('node_modules/loader-pkg/index.js', 'node_modules/@scope/prebuilt/index.js'),
      'src/lib/c.ts': imports('node_modules/split/index.js'),
      'node_modules/gyp-pkg/index.js': {},
      'node_modules/loader-pkg/index.js': {},
      'node_modules/@scope/prebuilt/index.js': {},
      'node_modules/split/index.js': {},
      'node_modules/plain/index.js': imports('node_modules/plain/node_modules/nested-native/index.js'),
      'node_modules/plain/node_modules/nested-native/index.js': {},
    },
  }
  expect(findNativeAddons(metafile, project.path)).toEqual([
    { pkg: 'gyp-pkg', importer: 'steps/a.step.ts', evidence: 'node_modules/gyp-pkg/binding.gyp' },
    { pkg: 'loader-pkg', importer: 'steps/b.step.ts', evidence: 'loads its binary through node-gyp-build' },
    {
      pkg: '@scope/prebuilt',
      importer: 'steps/b.step.ts',
      evidence: 'node_modules/@scope/prebuilt/build/Release/addon.node',
    },
    { pkg: 'split', importer: 'src/lib/c.ts', evidence: 'node_modules/split-linux/lib/split.node' },
    {
      pkg: 'nested-native',
      importer: 'steps/a.step.ts',
      evidence: 'node_modules/plain/node_modules/nested-native/package.json: "gypfile": true',
    },
  ])
})

test('plain packages pass', () => {
  const metafile: Metafile = {
    inputs: { 'steps/a.step.ts': imports('node_modules/plain/index.js'), 'node_modules/plain/index.js': {} },
  }
  expect(findNativeAddons(metafile, project.path)).toEqual([])
})
