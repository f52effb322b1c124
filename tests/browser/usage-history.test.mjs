// Usage history and "Refresh now" on the client's Management page in a real browser, against the
// Acronis simulator: the server-rendered SVG charts (quota line, billing unit), the 30/90-day
// switch through the `usage_history` JSON action, the table view opened with the keyboard, the
// refresh limit, and a German run. Usage days are rows of the module's store table, dated back
// from today (the page uses the real date).
// Screenshots: tests/artifacts/screenshots/usage-history/. Run: node --test tests/browser/usage-history.test.mjs
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { WhmcsRoot, REPO, launchBrowser, shot, startSimulator } from './lib/harness.mjs';

const SUITE = 'usage-history';
const GIB = 1073741824;
process.env.ACRONISCLOUD_EXT ||= path.join(REPO, 'target/release/libacroniscloud.so');

async function simApi(sim, method, p, body) {
  const base = sim.info.dcs[0].http;
  const basic = Buffer.from(`${sim.seed.client.client_id}:${sim.seed.client.client_secret}`).toString('base64');
  const r = await fetch(`${base}${p}`, {
    method, headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function simControl(sim, method, p, body) {
  const r = await fetch(`${sim.info.dcs[0].http}/__sim${p}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  return r.json();
}

/** `YYYY-MM-DD` of `back` days before today (UTC). */
function daysAgo(back) {
  return new Date(Date.now() - back * 86400000).toISOString().slice(0, 10);
}

describe('usage history on the Management page', () => {
  let sim, host, server, browser, page, serviceId, clientEmail;
  const pageErrors = [];
  const pageUrl = () => `${server.url}/clientarea.php?action=productdetails&id=${serviceId}&modop=custom&a=ClientAreaManagement`;

  before(async () => {
    sim = await startSimulator();
    const root = sim.seed.root_tenant_id;
    const tenant = await simApi(sim, 'POST', '/api/2/tenants', { kind: 'customer', parent_id: root, name: 'Chart Ltd', contact: { email: 'it@chart.test' } });
    const backup = sim.seed.applications.find((a) => a.type === 'backup').id;
    const infra = sim.seed.infras.find((i) => i.capabilities.includes('backup') && i.platform_owned).id;
    await simApi(sim, 'POST', `/api/2/applications/${backup}/bindings/tenants/${tenant.id}`, {});
    await simApi(sim, 'PUT', `/api/2/tenants/${tenant.id}/offering_items`, { offering_items: [
      { application_id: backup, name: 'pw_workstations', status: 1, quota: { value: 10, overage: 0 } },
      { application_id: backup, name: 'pw_storage', infra_id: infra, status: 1, quota: { value: 100 * GIB, overage: 0 } },
    ] });
    await simControl(sim, 'PUT', '/usage', { items: [
      { tenant_id: tenant.id, name: 'pw_workstations', value: 3 },
      { tenant_id: tenant.id, name: 'pw_storage', infra_id: infra, value: 40 * GIB },
    ] });

    host = await WhmcsRoot.create(SUITE, { repo: REPO, extra: [] });
    host.whmcs('addon:activate', 'acroniscloud'); // creates the module's tables
    const config = path.join(host.root, 'includes/acroniscloud/config.yaml');
    rmSync(config, { force: true });
    writeFileSync(config, `cloud_api:\n  ca_file: ${JSON.stringify(sim.info.ca_file)}\n`);
    const serverId = host.whmcs('server:add', '--name', 'Acronis EU2', '--hostname', 'localhost', '--port', new URL(sim.info.dcs[0].https).port,
      '--secure', 'on', '--username', sim.seed.client.client_id, '--password', sim.seed.client.client_secret,
      '--accesshash', 'client_credentials', '--type', 'acroniscloud').serverid;
    serviceId = host.whmcs('service:add', '--pid', 1, '--userid', 1, '--server', serverId, '--status', 'Active',
      '--customfield', `tenant_id=${tenant.id}`).serviceid;
    for (const metric of ['pw_workstations', 'pw_storage_acronis']) {
      host.sql("INSERT INTO tblusage_items (rel_type, rel_id, module_type, module, metric, included, is_hidden, created_at, updated_at) VALUES ('Product', 1, 'servers', 'acroniscloud', ?, 0, 0, '2024-01-01 00:00:00', '2024-01-01 00:00:00')", [metric]);
    }
    // 80 days of growing usage with a gap of three days (no report stored) ten days ago.
    for (let back = 0; back < 80; back += 1) {
      if (back >= 9 && back <= 11) continue;
      const metrics = { pw_workstations: Math.min(10, 2 + Math.floor((80 - back) / 10)), pw_storage_acronis: (20 + (80 - back) * 0.6) * GIB };
      host.sql('INSERT INTO acroniscloud_usage_tenant_days (tenant_id, date, server_id, report_row, metrics, updated_at) VALUES (?, ?, ?, 0, ?, 0)',
        [tenant.id, daysAgo(back), serverId, JSON.stringify(metrics)]);
    }
    clientEmail = host.sql('SELECT email FROM tblclients WHERE id = 1')[0].email;

    server = await host.serve();
    browser = await launchBrowser();
    page = await browser.newPage();
    page.setDefaultTimeout(10000);
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });

  after(async () => {
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
    if (browser) await browser.close();
    if (host) await host.destroy();
    if (sim) await sim.stop();
  });

  const ready = () => page.waitForSelector('#acroniscloud-client[data-ready="1"]');
  const text = (selector) => page.textContent(selector).then((s) => s.replace(/\s+/g, ' ').trim());
  const tableRows = (metric) => page.$$eval(`.acc-chart[data-metric="${metric}"] tbody tr`, (l) => l.length);

  it('draws a chart per billed metric with the quota line and the unit, without script', async () => {
    const noScript = await launchBrowser({ javaScriptEnabled: false });
    const bare = await noScript.newPage();
    await bare.goto(`${server.url}/login.php?autologin=1&goto=${encodeURIComponent(`clientarea.php?action=productdetails&id=${serviceId}&modop=custom&a=ClientAreaManagement`)}`);
    assert.equal(await bare.$$eval('#acc-history svg.acc-chart-svg', (l) => l.length), 2, 'server-rendered SVG');
    await noScript.close();

    await page.goto(`${server.url}/login.php`);
    await page.fill('#inputEmail', clientEmail);
    await page.fill('#inputPassword', 'password');
    await Promise.all([page.waitForNavigation(), page.click('#login')]);
    await page.goto(pageUrl());
    await ready();
    assert.equal(await text('#acc-history-title'), 'Usage history');
    assert.deepEqual(await page.$$eval('.acc-chart', (l) => l.map((f) => f.dataset.metric)), ['pw_workstations', 'pw_storage_acronis']);
    assert.equal(await text('.acc-chart[data-metric="pw_storage_acronis"] figcaption'), 'Cyber Protect Cloud - Acronis hosted storage (GB)');
    assert.equal(await text('.acc-chart[data-metric="pw_storage_acronis"] .acc-chart-quota-label'), 'Quota: 100');
    assert.equal(await page.$$eval('.acc-chart[data-metric="pw_storage_acronis"] path.acc-chart-line', (l) => l.length), 1);
    assert.equal(await page.getAttribute('a.acc-history-days[data-days="30"]', 'aria-current'), 'true');
    assert.equal(await tableRows('pw_workstations'), 30);
    assert.equal(await page.isVisible('.acc-chart[data-metric="pw_workstations"] table'), false, 'table view closed');
    const svgBox = await page.$eval('.acc-chart[data-metric="pw_storage_acronis"] svg', (s) => s.getBoundingClientRect().width);
    assert.ok(svgBox > 200, `the chart is drawn at a readable width (${svgBox})`);
    await page.$eval('#acc-usage-history', (e) => e.scrollIntoView());
    await shot(page, SUITE, '01-history-30-days');
  });

  it('switches to 90 days through the JSON action, keeping focus on the switch', async () => {
    await page.focus('a.acc-history-days[data-days="90"]');
    const answer = page.waitForResponse((r) => r.url().includes('api=usage_history'));
    await page.keyboard.press('Enter');
    const r = await answer;
    assert.equal(r.status(), 200);
    await page.waitForSelector('#acc-history[data-days="90"]');
    assert.equal(await tableRows('pw_workstations'), 90);
    assert.equal(await page.getAttribute('a.acc-history-days[data-days="90"]', 'aria-current'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement.dataset.days), '90');
    // The gap of three days breaks the line: two pieces.
    const pieces = await page.$eval('.acc-chart[data-metric="pw_storage_acronis"] path.acc-chart-line', (p) => p.getAttribute('d').split('M').length - 1);
    assert.equal(pieces, 2);
    assert.match(page.url(), /history_days=90$/);
    await shot(page, SUITE, '02-history-90-days');
  });

  it('opens the table view with the keyboard', async () => {
    const summary = '.acc-chart[data-metric="pw_workstations"] summary';
    await page.focus('a.acc-history-days[data-days="90"]');
    let focused = '';
    for (let i = 0; i < 10 && focused !== 'pw_workstations'; i += 1) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => (document.activeElement.tagName === 'SUMMARY' ? document.activeElement.closest('.acc-chart').dataset.metric : ''));
    }
    assert.equal(focused, 'pw_workstations', 'the table toggle is reached with Tab');
    await page.keyboard.press('Enter');
    assert.equal(await page.isVisible('.acc-chart[data-metric="pw_workstations"] table'), true);
    assert.equal(await text(`${summary}`), 'Table view');
    const first = await page.$$eval('.acc-chart[data-metric="pw_workstations"] tbody tr', (l) => [l[0].textContent, l[10].textContent]);
    assert.equal(first[0], `${daysAgo(0)}10`);
    assert.equal(first[1], `${daysAgo(10)}No data`);
    await page.$eval(summary, (e) => e.scrollIntoView());
    await shot(page, SUITE, '03-table-view-keyboard');
  });

  it('refreshes the live usage once a minute and says when the next refresh is possible', async () => {
    await page.goto(pageUrl());
    await ready();
    assert.equal(await text('[data-item="pw_workstations"] .acc-usage-value'), '3 used of 10');
    await page.click('#acc-usage-refresh');
    await page.waitForFunction(() => /UTC/.test(document.getElementById('acc-usage-refresh-status').textContent));
    assert.match(await text('#acc-usage-refresh-status'), /^Updated at .+ UTC\. Next refresh possible at .+ UTC\.$/);
    await page.click('#acc-usage-refresh');
    await page.waitForSelector('#acc-usage-refresh-status .acc-error');
    assert.match(await text('#acc-usage-refresh-status'), /Usage was refreshed less than a minute ago\. The next refresh is possible at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\./);
    await page.$eval('#acc-usage', (e) => e.scrollIntoView());
    await shot(page, SUITE, '04-refresh-limited');
  });

  it("speaks the client's language (German)", async () => {
    host.sql("UPDATE tblclients SET language = 'german' WHERE id = 1");
    await page.goto(pageUrl());
    await ready();
    assert.equal(await text('#acc-history-title'), 'Nutzungsverlauf');
    assert.equal(await text('a.acc-history-days[data-days="90"]'), 'Letzte 90 Tage');
    assert.equal(await text('.acc-chart[data-metric="pw_storage_acronis"] .acc-chart-quota-label'), 'Kontingent: 100');
    assert.equal(await text('.acc-chart[data-metric="pw_workstations"] summary'), 'Tabellenansicht');
    assert.equal(await text('#acc-usage-refresh'), 'Jetzt aktualisieren');
    await page.$eval('#acc-usage-history', (e) => e.scrollIntoView());
    await shot(page, SUITE, '05-history-german');
  });
});
