// Downloads the run's artifacts by name or pattern, as actions/download-artifact
// does, from the artifact server of the run (act's, under test).
import * as core from '@actions/core'
import {DefaultArtifactClient} from '@actions/artifact'
import {join, resolve} from 'node:path'

function matcher(pattern) {
  const escaped = pattern.split('*').map(s => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
  return new RegExp('^' + escaped.join('.*') + '$')
}

async function main() {
  const client = new DefaultArtifactClient()
  const name = core.getInput('name')
  const pattern = core.getInput('pattern')
  const path = resolve(core.getInput('path') || '.')
  const merge = core.getBooleanInput('merge-multiple')
  const {artifacts} = await client.listArtifacts({latest: true})
  const wanted = name ? artifacts.filter(a => a.name === name) : artifacts.filter(a => matcher(pattern || '*').test(a.name))
  if (name && wanted.length === 0) return core.setFailed(`artifact ${name} not found`)
  for (const artifact of wanted) {
    const into = name || merge ? path : join(path, artifact.name)
    await client.downloadArtifact(artifact.id, {path: into})
    core.info(`downloaded artifact ${artifact.name} into ${into}`)
  }
  core.setOutput('download-path', path)
}

main().catch(err => core.setFailed(String(err && err.stack ? err.stack : err)))
