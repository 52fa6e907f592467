// Uploads the files the path input names, as actions/upload-artifact does, to
// the artifact server of the run (act's, under test).
import * as core from '@actions/core'
import {DefaultArtifactClient} from '@actions/artifact'
import {readdirSync, statSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'

function walk(path, files) {
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path)) walk(join(path, entry), files)
  } else {
    files.push(path)
  }
}

async function main() {
  const name = core.getInput('name')
  const paths = core.getMultilineInput('path', {required: true}).map(p => resolve(p))
  const files = []
  let root = ''
  for (const p of paths) {
    try {
      walk(p, files)
    } catch {
      continue
    }
    root = root || (statSync(p).isDirectory() ? p : dirname(p))
  }
  if (files.length === 0) {
    const how = core.getInput('if-no-files-found')
    const message = `no files found at ${paths.join(', ')}`
    if (how === 'error') return core.setFailed(message)
    if (how === 'warn') core.warning(message)
    return
  }
  const {id, size} = await new DefaultArtifactClient().uploadArtifact(name, files, root)
  core.info(`uploaded artifact ${name} (id ${id}, ${size} bytes)`)
  core.setOutput('artifact-id', String(id))
}

main().catch(err => core.setFailed(String(err && err.stack ? err.stack : err)))
