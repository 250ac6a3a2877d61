// Runs the unit tests with vitest and ends with a plain "N passed, N failed" line (the line
// CI reads). Exits non-zero when any test failed, vitest itself failed, or no test ran.
// Extra arguments go to vitest (e.g. a file filter).
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'jyb-vitest-')), 'report.json')
const bin = path.join(root, 'node_modules', 'vitest', 'vitest.mjs')

const run = spawnSync(
  process.execPath,
  [bin, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit' }
)

let passed = 0
let failed = 0
try {
  const report = JSON.parse(fs.readFileSync(out, 'utf8'))
  passed = report.numPassedTests || 0
  failed = (report.numFailedTests || 0) + (report.numFailedTestSuites || 0) - countSuitesWithFailedTests(report)
} catch (e) {
  console.error(`vitest wrote no JSON report: ${e.message}`)
  failed = Math.max(failed, 1)
}
fs.rmSync(path.dirname(out), { recursive: true, force: true })

// A suite that failed to load (syntax error, bad import) has no failed tests of its own;
// count it once so it cannot pass unnoticed.
function countSuitesWithFailedTests(report) {
  return (report.testResults || []).filter(
    (s) => s.status === 'failed' && (s.assertionResults || []).some((a) => a.status === 'failed')
  ).length
}

console.log(`${passed} passed, ${failed} failed`)
process.exit(run.status !== 0 || failed > 0 || passed === 0 ? 1 : 0)
