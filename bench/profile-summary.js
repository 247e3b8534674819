// `node profile-summary.js <file.cpuprofile> [--filter text] [--top N]`: where a server process
// spent its time, from a `--profile` run (bench/profiles/). Prints self time by file, then the
// functions by self and by inclusive time (a function and everything it called), as shares of
// the profile. Use it to compare two cells' profiles; see README.md, "Profiling".
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { filter: { type: 'string', default: '' }, top: { type: 'string', default: '25' } },
})
if (positionals.length !== 1) {
  console.error('usage: node profile-summary.js <file.cpuprofile> [--filter text] [--top N]')
  process.exit(2)
}
const top = Number(values.top)
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'))
const nodes = new Map(profile.nodes.map((node) => [node.id, node]))
const parentOf = new Map()
for (const node of profile.nodes)
  for (const child of node.children ?? []) parentOf.set(child, node.id)

// Sampled time per profile node (its own time, without callees).
const selfTime = new Map()
profile.samples.forEach((id, i) => {
  selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
})
const total = [...selfTime.values()].reduce((sum, t) => sum + t, 0)

const bySelf = new Map()
const byFile = new Map()
const byInclusive = new Map()
for (const [id, time] of selfTime) {
  const frame = nodes.get(id).callFrame
  add(bySelf, label(frame), time)
  add(byFile, fileOf(frame) || frame.functionName, time)
  // Count the time once for every distinct function on the stack (recursion counts once).
  const seen = new Set()
  for (let at = id; at !== undefined; at = parentOf.get(at)) {
    const name = label(nodes.get(at).callFrame)
    if (!seen.has(name)) add(byInclusive, name, time)
    seen.add(name)
  }
}

console.log(`${positionals[0]}: ${(total / 1e6).toFixed(2)} s sampled`)
print('self time by file', byFile)
print('functions by self time', bySelf)
print('functions by inclusive time', byInclusive)

function print(title, map) {
  console.log(`\n${title}${values.filter ? ` (matching "${values.filter}")` : ''}:`)
  const rows = [...map].filter(([name]) => name.includes(values.filter))
  for (const [name, time] of rows.sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((100 * time) / total).toFixed(1).padStart(6)}%  ${name}`)
  }
}

function add(map, key, time) {
  map.set(key, (map.get(key) ?? 0) + time)
}

function label(frame) {
  return `${frame.functionName || '(anonymous)'} ${fileOf(frame)}:${frame.lineNumber + 1}`
}

// Short file names: the package of a dependency, the repository path of our own code.
function fileOf(frame) {
  return frame.url
    .replace(/.*node_modules\/\.pnpm\/([^/]+)\/.*/, '$1')
    .replace(/^file:\/\//, '')
    .replace(/.*\/(packages|bench)\//, '$1/')
}
