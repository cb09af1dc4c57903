// Headless Debian Chromium through playwright-core (never a downloaded
// browser), and a static file server on 127.0.0.1 for built pages.
import { chromium } from 'playwright-core'

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage'
]

export function launchChromium(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, ...extraArgs]
  })
}

/** A new page at url, with the uncaught errors of its scripts collected in
 *  `errors`. @returns {Promise<{page, errors: string[]}>} */
export async function openPage(browser, url) {
  const page = await browser.newPage()
  const errors = []
  page.on('pageerror', (e) => errors.push(String(e)))
  await page.goto(url)
  return { page, errors }
}

export { serveStatic } from '../../scripts/lib/static-server.js'
