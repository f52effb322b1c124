// The addon's "Usage billing" and "Reconciliation" pages (issue 13) in a real browser, against the
// Acronis simulator: one server whose report was downloaded, one whose report failed (hint on the
// status page, banner on the main page), an orphan tenant with its "Adopt the tenant" link, the
// filter form used from the keyboard, and both pages in German.
// Screenshots: tests/artifacts/screenshots/usage-pages/. Run: node --test tests/browser/*.test.mjs
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { WhmcsRoot, REPO, launchBrowser, shot, startSimulator } from './lib/harness.mjs';

const SUITE = 'usage-pages';
process.env.ACRONISCLOUD_EXT ||= path.join(REPO, 'target/release/libacroniscloud.so');

/** The simulator's API as its seeded API client (arranging state, like an operator would). */
async function simApi(sim, method, p, body) {
  const basic = Buffer.from(`${sim.seed.client.client_id}:${sim.seed.client.client_secret}`).toString('base64');
  const r = await fetch(`${sim.info.dcs[0].http}${p}`, {
    method, headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function simFaults(sim, faults) {
  const r = await fetch(`${sim.info.dcs[0].http}/__sim/faults`, { method: 'PUT', body: JSON.stringify({ faults }) });
  assert.ok(r.ok, `faults: ${r.status}`);
}

/** `php manage.php ARGS` in the root; returns the exit code (the pipeline exits 1 on a failed report). */
function manage(host, ...args) {
  try {
    execFileSync('php', ['-d', `extension=${process.env.ACRONISCLOUD_EXT}`, path.join(host.root, 'manage.php'), ...args],
      { cwd: host.root, stdio: ['ignore', 'pipe', 'pipe'] });
    return 0;
  } catch (e) {
    return e.status;
  }
}

describe('usage billing and reconciliation pages (admin area)', () => {
  let sim, host, server, browser, page, base, orphan;
  const pageErrors = [];

  before(async () => {
    sim = await startSimulator();
    orphan = await simApi(sim, 'POST', '/api/2/tenants', { kind: 'customer', parent_id: sim.seed.root_tenant_id, name: 'Orphan Ltd' });
    host = await WhmcsRoot.create(SUITE, { repo: REPO, extra: [] });
    const config = path.join(host.root, 'includes/acroniscloud/config.yaml');
    rmSync(config, { force: true }); // may be a symlink to the repository's file: never write through it
    writeFileSync(config, `cloud_api:\n  ca_file: ${JSON.stringify(sim.info.ca_file)}\n`);
    host.whmcs('addon:activate', 'acroniscloud');
    host.whmcs('addon:set', 'acroniscloud', 'access', '1');
    for (const name of ['Acronis EU2', 'Acronis EU3']) {
      host.whmcs('server:add', '--name', name, '--hostname', 'localhost', '--port', new URL(sim.info.dcs[0].https).port,
        '--secure', 'on', '--username', sim.seed.client.client_id, '--password', sim.seed.client.client_secret,
        '--accesshash', 'client_credentials', '--type', 'acroniscloud');
    }
    assert.equal(manage(host, 'usage-report:process', '1'), 0, 'server 1: report downloaded');
    await simFaults(sim, [{ kind: 'report_failed' }]);
    assert.equal(manage(host, 'usage-report:process', '2'), 1, 'server 2: report failed');
    server = await host.serve();
    base = `${server.url}/admin/addonmodules.php?module=acroniscloud`;
    browser = await launchBrowser();
    page = await browser.newPage();
    page.setDefaultTimeout(8000);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${server.url}/admin/login.php?autologin=admin&redirect=${encodeURIComponent('addonmodules.php?module=acroniscloud')}`);
  });

  after(async () => {
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
    if (browser) await browser.close();
    if (host) await host.destroy();
    if (sim) await sim.stop();
  });

  it('shows the banner on the main page and the template app below it', async () => {
    await page.goto(base);
    await page.waitForSelector('.acroniscloud-usage-banner');
    const banner = await page.textContent('.acroniscloud-usage-banner');
    assert.match(banner, /Usage billing needs attention\./);
    assert.match(banner, /Acronis EU3: The usage report of \d{4}-\d{2}-\d{2} failed/);
    assert.doesNotMatch(banner, /Acronis EU2/, 'the healthy server is not listed');
    await page.waitForSelector('#acl-create');
    await shot(page, SUITE, '01-main-page-banner');
  });

  it('reaches the status page from the keyboard and shows both servers', async () => {
    await page.focus('.acroniscloud-usage-banner a');
    await page.keyboard.press('Enter');
    await page.waitForSelector('table.acroniscloud-status');
    assert.equal(await page.textContent('.acroniscloud-tabs [aria-current="page"]'), 'Usage billing');
    const ok = page.locator('section[data-server-id="1"] tbody tr').first();
    assert.equal(await ok.getAttribute('data-status'), '4');
    assert.equal(await ok.locator('td').nth(0).textContent(), 'Downloaded and saved');
    const failed = page.locator('section[data-server-id="2"] tbody tr').first();
    assert.equal(await failed.getAttribute('data-status'), '-1');
    assert.equal(await failed.locator('.acroniscloud-hint').getAttribute('data-hint'), 'platform_failed');
    assert.match(await failed.locator('.acroniscloud-hint').textContent(), /orders a new one/);
    await shot(page, SUITE, '02-usage-billing-en');
  });

  it('lists the orphan tenant with its adopt link and filters from the keyboard', async () => {
    await page.click('.acroniscloud-tabs a:has-text("Reconciliation")');
    await page.waitForSelector('table.acroniscloud-findings');
    // Both servers point at the same data centre: the tenant is an orphan under each of them.
    const rows = page.locator(`tr[data-kind="orphan_tenant"]:has-text("${orphan.id}")`);
    assert.equal(await rows.count(), 2);
    const row = rows.filter({ hasText: '#1 Acronis EU2' });
    assert.equal(await row.count(), 1);
    const adopt = await row.locator('a[data-fix="adopt"]').getAttribute('href');
    assert.equal(adopt, `clientsservices.php?adopt_tenant_id=${orphan.id}&adopt_server_id=1`);
    await shot(page, SUITE, '03-reconciliation-en');

    await page.focus('#acroniscloud-f-kind');
    await page.selectOption('#acroniscloud-f-kind', 'over_quota');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForURL(/kind=over_quota/);
    assert.equal(await page.locator('tr[data-kind="orphan_tenant"]').count(), 0);
    assert.match(await page.textContent('.acroniscloud-pages'), /No differences found\./);
    const csv = await page.getAttribute('a:has-text("Export CSV")', 'href');
    assert.match(csv, /action=reconciliation&format=csv&kind=over_quota/);
  });

  it('shows both pages in German', async () => {
    host.sql("UPDATE tbladmins SET language = 'german' WHERE id = 1");
    await page.goto(`${base}&page=usage_billing`);
    await page.waitForSelector('table.acroniscloud-status');
    assert.equal(await page.textContent('.acroniscloud-tabs [aria-current="page"]'), 'Nutzungsabrechnung');
    await shot(page, SUITE, '04-usage-billing-de');
    await page.goto(`${base}&page=reconciliation`);
    await page.waitForSelector('table.acroniscloud-findings');
    assert.match(await page.textContent('h2'), /Abgleich/);
    assert.match(await page.textContent('a[data-fix="adopt"]'), /Tenant übernehmen/);
    await shot(page, SUITE, '05-reconciliation-de');
  });
});
