// Real-browser harness for the WHMCS host emulation (docs/whmcs-emulation.md, "Browser mode").
//
//   const host = await WhmcsRoot.create('smoke');        // fresh root (fake module fixture), via the CLI runner
//   host.whmcs('addon:activate', 'fakeaddon');           // any runner command → parsed `result`
//   const server = await host.serve();                   // `whmcs serve --port 0 --autologin` → server.url
//   const browser = await launchBrowser();               // Debian chromium, headless, fresh profile
//   const page = await browser.newPage();
//   await shot(page, 'smoke', '01-login');               // tests/artifacts/screenshots/smoke/01-login.png
//   await browser.close(); await server.stop(); host.destroy();
//
// Env: CHROMIUM_PATH (default /usr/bin/chromium), ACRONISCLOUD_EXT (passed to the runner, loaded into php -S),
// WHMCSHOST_KEEP_ROOTS=1 keeps the temporary roots, PHP (php binary).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const RUNNER = path.join(REPO, 'php/whmcs-host/bin/whmcs');
export const FIXTURE = path.join(REPO, 'tests/fixtures/fakemodule');
export const SCREENSHOTS = path.join(REPO, 'tests/artifacts/screenshots');
const PHP = process.env.PHP || 'php';

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

export class WhmcsRoot {
  constructor(root) {
    this.root = root;
    this.server = null;
  }

  /**
   * Installs a fresh WHMCS-like root. Options: repo (default: an empty dir, so only the fixture modules are
   * present — pass REPO to install this repository's module), extra (default [FIXTURE]), seed ('full').
   */
  static async create(suite, { repo, extra = [FIXTURE], seed } = {}) {
    const root = mkdtempSync(path.join(tmpdir(), `whmcs-browser-${suite}-`));
    const emptyRepo = mkdtempSync(path.join(tmpdir(), 'whmcs-browser-emptyrepo-'));
    const host = new WhmcsRoot(root);
    host.emptyRepo = emptyRepo;
    const args = ['install', '--repo', repo || emptyRepo];
    for (const dir of extra) args.push('--extra', dir);
    if (seed) args.push('--seed', seed);
    host.whmcs(...args);
    return host;
  }

  /** Runs one runner command (own PHP process); returns `result`, throws on failure. */
  whmcs(...args) {
    let stdout;
    try {
      stdout = execFileSync(PHP, [RUNNER, '--root', this.root, ...args.map(String)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      throw new Error(`whmcs ${args.join(' ')} failed (exit ${e.status}): ${e.stdout}\n${e.stderr}`);
    }
    const json = JSON.parse(stdout.trim().split('\n').pop());
    if (!json.ok) throw new Error(`whmcs ${args.join(' ')}: ${json.error}`);
    return json.result;
  }

  sql(query, bind = []) {
    return this.whmcs('sql', query, '--bind', JSON.stringify(bind));
  }

  /** Starts `whmcs serve` (php -S + router); resolves to {url, pid, stop()}. */
  async serve({ autologin = true, csrf } = {}) {
    const args = [RUNNER, '--root', this.root, 'serve', '--port', '0', '--exit-with-parent'];
    if (autologin) args.push('--autologin');
    if (csrf) args.push('--csrf', csrf);
    const child = spawn(PHP, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise((resolve, reject) => {
      const rl = createInterface({ input: child.stdout });
      const timer = setTimeout(() => reject(new Error('whmcs serve did not answer within 20 s')), 20000);
      rl.once('line', (l) => { clearTimeout(timer); rl.close(); resolve(l); });
      child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`whmcs serve exited with ${code}`)); });
    });
    const info = JSON.parse(line);
    if (!info.ok) throw new Error(`whmcs serve failed: ${line}`);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    this.server = {
      ...info,
      async stop() {
        if (child.exitCode === null) child.kill('SIGTERM');
        const t = setTimeout(() => { try { process.kill(info.pid, 'SIGKILL'); } catch {} child.kill('SIGKILL'); }, 5000);
        await exited;
        clearTimeout(t);
      },
    };
    return this.server;
  }

  async destroy() {
    if (this.server) await this.server.stop();
    if (!process.env.WHMCSHOST_KEEP_ROOTS) {
      rmSync(this.root, { recursive: true, force: true });
      rmSync(this.emptyRepo, { recursive: true, force: true });
    }
  }
}

/** Headless Debian chromium with a fresh profile; returns a persistent BrowserContext (close() cleans up). */
export async function launchBrowser(options = {}) {
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'whmcs-browser-profile-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    ...options,
  });
  const close = context.close.bind(context);
  context.close = async () => {
    await close();
    rmSync(userDataDir, { recursive: true, force: true });
  };
  return context;
}

/** Saves tests/artifacts/screenshots/<suite>/<step>.png (full page). */
export async function shot(page, suite, step) {
  const dir = path.join(SCREENSHOTS, suite);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${step}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Starts `acronis-sim --tls`; resolves to {info, seed, stop()} (stdin EOF ends it). */
export async function startSimulator() {
  const bin = process.env.ACRONIS_SIM_BIN || path.join(REPO, 'target/release/acronis-sim');
  const child = spawn(bin, ['--tls', '--exit-on-stdin-eof'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    const timer = setTimeout(() => reject(new Error('acronis-sim did not start within 20 s')), 20000);
    rl.once('line', (l) => { clearTimeout(timer); rl.close(); resolve(l); });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`acronis-sim exited with ${code}`)); });
  });
  const info = JSON.parse(line);
  const seed = await (await fetch(`${info.dcs[0].http}/__sim/seed-info`)).json();
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    info, seed,
    async stop() {
      child.stdin.end();
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    },
  };
}
