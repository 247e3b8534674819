/// <reference lib="dom" />
// (Callbacks given to page.evaluate run in the browser.)
/**
 * Runs the dashboard as a person does (`tracium ui --dir D --port 0`, the built CLI) and drives
 * it in Debian's Chromium through playwright-core. No browser download: TOOLCHAIN.md. Without
 * /usr/bin/chromium the suite FAILS with how to install it (`pnpm test` installs it first).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { type Browser, chromium, type Page } from 'playwright-core'
import type { Report } from '../../src/report/build-report.js'
import { onCleanup } from '../helpers.js'

export const cli = fileURLToPath(new URL('../../dist/cli.mjs', import.meta.url))
/** Screenshots: test artifacts, gitignored. */
export const artifacts = fileURLToPath(new URL('../../test-artifacts/ui/', import.meta.url))

const CHROMIUM = '/usr/bin/chromium'
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
]

/** A running `tracium ui`. */
export interface RunningUi {
  url: string
  /** SIGTERM, as Ctrl-C would; resolves when the process has exited. */
  stop: () => Promise<void>
}

/** Starts `tracium ui` on a free port; resolves once it printed its URL. */
export async function startUi(dir: string, extra: string[] = []): Promise<RunningUi> {
  const child: ChildProcess = spawn(
    process.execPath,
    [cli, 'ui', '--dir', dir, '--port', '0', ...extra],
    {
      env: { ...process.env, TRACIUM_DIR: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve()
      child.once('exit', () => resolve())
      child.kill('SIGTERM')
    })
  let output = ''
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk
      const url = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(output)
      if (url) {
        child.stdout?.off('data', onData)
        resolve({ url: url[1]!, stop })
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk
    })
    child.once('exit', (code) => reject(new Error(`tracium ui exited (${code}): ${output}`)))
  })
}

let browser: Browser | undefined

/** One Chromium for the file; a fresh page (light or dark) per call, closed after the test. */
export async function openPage(options: { dark?: boolean } = {}): Promise<Page> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The browser tests need Debian's chromium at ${CHROMIUM}: apt-get install -y chromium ` +
        '(pnpm test runs scripts/system-packages.mjs, which installs it when root).',
    )
  }
  browser ??= await chromium.launch({ executablePath: CHROMIUM, args: FLAGS })
  const page = await browser.newPage({
    viewport: { width: 1400, height: 900 },
    colorScheme: options.dark ? 'dark' : 'light',
  })
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  page.on('console', (message) => {
    // A CSP violation is reported on the console: the page must cause none.
    if (message.type() === 'error') errors.push(message.text())
  })
  onCleanup(async () => {
    await page.close()
    if (errors.length > 0) throw new Error(`the page reported errors: ${errors.join('; ')}`)
  })
  return page
}

/** Closes the browser (afterAll). */
export async function closeBrowser(): Promise<void> {
  await browser?.close()
  browser = undefined
}

/**
 * Runs `action` and waits until the page has drawn the view it leads to: `main` carries the
 * number of the last render and whether it is ready, so no sleep is needed.
 */
export async function settled(page: Page, action: () => Promise<unknown>): Promise<void> {
  const before = Number((await page.getAttribute('main', 'data-render')) ?? 0)
  await action()
  await page.waitForFunction((n) => {
    const main = document.querySelector('main')
    return Number(main?.dataset.render ?? 0) > n && main?.dataset.state !== 'loading'
  }, before)
  const state = await page.getAttribute('main', 'data-state')
  if (state !== 'ready') throw new Error(`the view did not load: ${await page.textContent('main')}`)
}

/** Opens `url` and waits for its first view. */
export async function visit(page: Page, url: string): Promise<void> {
  await page.goto(url)
  await page.waitForSelector('main[data-state="ready"], main[data-state="error"]')
  const state = await page.getAttribute('main', 'data-state')
  if (state !== 'ready') throw new Error(`the view did not load: ${await page.textContent('main')}`)
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(artifacts, { recursive: true })
  const path = `${artifacts}${name}.png`
  await page.screenshot({ path, fullPage: true })
  return path
}

/** `tracium report --format json …` for the same store. */
export function reportJson(dir: string, args: string[] = []): Promise<Report> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [cli, 'report', '--dir', dir, '--format', 'json', ...args],
      { env: { ...process.env, TRACIUM_DIR: '' } },
      (error, stdout, stderr) => (error ? reject(new Error(stderr)) : resolve(JSON.parse(stdout))),
    )
  })
}
