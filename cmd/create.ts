import { existsSync, readdirSync } from 'node:fs'
import { basename, relative, resolve } from 'node:path'
import type { Command } from 'commander'
import { pythonSdkFiles } from '../modules/python/sdk-loader'
import { writeTypesFile } from './generate-types'
import { BUNFIG_TEST, cliAssetText, writeFiles, writeProjectTooling } from './project-tooling'

interface Template {
  name: string
  description: string
  files: Record<string, string>
}

function templates(): Template[] {
  const all = JSON.parse(cliAssetText('templates.json')) as Record<string, Record<string, string>>
  return Object.entries(all).map(([name, files]) => ({ name, description: describe(files['README.md']), files }))
}

/** A template's README: `# title`, a blank line, then the one-paragraph description `--list` shows. */
function describe(readme: string | undefined): string {
  const paragraph = (readme ?? '').split(/\n\s*\n/)[1] ?? ''
  return paragraph.replace(/\s+/g, ' ').trim()
}

function tsconfig(js: boolean): string {
  const types = '.motia/types'
  const config = {
    compilerOptions: {
      target: 'ESNext',
      module: 'Preserve',
      moduleResolution: 'bundler',
      lib: ['ESNext', 'DOM'],
      strict: true,
      skipLibCheck: true,
      noEmit: true,
      ...(js ? { allowJs: true, checkJs: false } : {}),
      // The binary provides these modules; their declarations are written by `motia create`,
      // `motia test` and `motia generate-types` (and a node_modules install is not needed).
      types: [],
      paths: {
        motia: [`./${types}/motia/index.d.ts`],
        'motia/testing': [`./${types}/motia/testing.d.ts`],
        zod: [`./${types}/zod/index.d.ts`],
        'zod/v4': [`./${types}/zod/v4/index.d.ts`],
      },
    },
    include: ['steps', 'src', 'tests', 'types.d.ts', `${types}/bun/test.d.ts`],
  }
  return `${JSON.stringify(config, null, 2)}\n`
}

export interface CreateOptions {
  template: string
  /** Where the command runs (names are relative to it). */
  cwd: string
}

/** Creates `name` from a template; returns the project dir. */
export async function createProject(
  name: string,
  opts: CreateOptions,
): Promise<{ dir: string; files: number; js: boolean }> {
  const all = templates()
  const template = all.find((t) => t.name === opts.template)
  if (!template) {
    throw new Error(`no template "${opts.template}" (templates: ${all.map((t) => t.name).join(', ')})`)
  }
  const dir = resolve(opts.cwd, name)
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new Error(`${relative(opts.cwd, dir) || '.'} exists and is not empty`)
  }
  const projectName = basename(dir)
  const files: Record<string, string> = {}
  for (const [rel, text] of Object.entries(template.files)) files[rel] = text.replaceAll('{{name}}', projectName)
  const names = Object.keys(template.files)
  // A Python-only template gets no TS tooling (tsconfig, bunfig, types.d.ts).
  const js = names.some((f) => /\.(ts|js)$/.test(f))
  if (js) {
    files['tsconfig.json'] ??= tsconfig(template.name.endsWith('-js'))
    files['bunfig.toml'] ??= BUNFIG_TEST
  }
  writeFiles(dir, files)
  // `from motia import ...` for the project's Python unit tests, before any motia dev.
  if (names.some((f) => f.endsWith('.py'))) (await pythonSdkFiles()).writeSdk(dir)
  if (js) {
    writeProjectTooling(dir)
    await writeTypesFile(dir)
  }
  return { dir, files: Object.keys(files).length, js }
}

/** `motia create`: a new project from a template embedded in the binary; works offline. */
export function registerCreateCommand(program: Command): void {
  program
    .command('create')
    .description('create a project from a template (offline: templates are in the binary)')
    .argument('[name]', 'directory to create (. for the current one, when empty)', 'motia-app')
    .option('-t, --template <template>', 'template to use (see --list)', 'starter')
    .option('-l, --list', 'list the templates')
    .addHelpText(
      'after',
      '\nExamples:\n  $ motia create my-app\n  $ motia create my-app --template todo\n  $ motia create --list',
    )
    .action(async (name: string, opts: { template: string; list?: boolean }) => {
      if (opts.list) {
        const all = templates()
        const width = Math.max(...all.map((t) => t.name.length))
        for (const t of all) console.log(`${t.name.padEnd(width)}  ${t.description}`)
        return
      }
      const { dir, files, js } = await createProject(name, { template: opts.template, cwd: process.cwd() })
      const rel = relative(process.cwd(), dir)
      const cd = rel ? `  cd ${rel}\n` : ''
      if (!js) {
        console.log(`created ${rel || '.'} from the ${opts.template} template (${files} files)

next steps:
${cd}  motia dev            serve on http://localhost:3111, reloading on every save
  python3 -m unittest  run the tests in tests/ (motia comes from .motia/python, no pip install)
  motia install        create .venv from requirements.txt once it lists packages`)
        return
      }
      console.log(`created ${rel || '.'} from the ${opts.template} template (${files} files)

next steps:
${cd}  motia dev      serve on http://localhost:3111, reloading on every save
  motia test     run the tests in tests/ (no node_modules needed; plain \`bun test\` works too)

editors resolve motia, motia/testing and zod from .motia/types (tsconfig.json paths);
after changing steps, \`motia generate-types\` refreshes types.d.ts.`)
    })
}
