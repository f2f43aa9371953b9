/** `import text from './x.py' with { type: 'text' }` (Bun embeds the file's text). */
declare module '*.py' {
  const text: string
  export default text
}
