// Runs the e2e against the mock server (for developing the e2e without the Go backend).
import { spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { startMockServer } from './mock-server.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const { server, url } = await startMockServer({ port: 0 })
console.log(`mock server on ${url}`)
const child = spawn(process.execPath, [path.join(here, 'worker-return.mjs')], {
  stdio: 'inherit',
  env: { ...process.env, BASE_URL: url }
})
child.on('exit', (code) => {
  server.close()
  process.exit(code === null ? 1 : code)
})
