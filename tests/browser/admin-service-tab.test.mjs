// The admin service tab of an Acronis service in a real browser, against the Acronis simulator
// (issue 13): the audit trail of a provisioned service (latest first), and the adopt form of a
// service without a tenant used with the keyboard — search, dry run (nothing written), then
// the adoption itself, which shows up in the trail. Then the same tab in German.
// Screenshots: tests/artifacts/screenshots/admin-service-tab/. Run: node --test tests/browser/*.test.mjs
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { WhmcsRoot, REPO, launchBrowser, shot, startSimulator } from './lib/harness.mjs';

const SUITE = 'admin-service-tab';
process.env.ACRONISCLOUD_EXT ||= path.join(REPO, 'target/release/libacroniscloud.so');

/** The simulator's API as its seeded API client (a tenant made in the Acronis console). */
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

describe('admin service tab: audit trail and adopt form', () => {
  let sim, host, server, browser, page, pid, serverId, provisioned, legacy;
  const pageErrors = [];

  const tab = (id) => page.goto(`${server.url}/admin/clientsservices.php?userid=1&id=${id}`);
  const newService = () => host.whmcs('service:add', '--pid', pid, '--userid', 1, '--server', serverId).serviceid;
  const fieldsOf = (id) => host.sql('SELECT f.fieldname, v.value FROM tblcustomfieldsvalues v JOIN tblcustomfields f ON f.id = v.fieldid WHERE v.relid = ?', [id]);
  const tenantIdOf = (id) => (fieldsOf(id).find((r) => r.fieldname.startsWith('tenant_id')) || {}).value || '';

  before(async () => {
    sim = await startSimulator();
    host = await WhmcsRoot.create(SUITE, { repo: REPO, extra: [] });
    const config = path.join(host.root, 'includes/acroniscloud/config.yaml');
    rmSync(config, { force: true }); // may be a symlink to the repository's file: never write through it
    writeFileSync(config, `cloud_api:\n  ca_file: ${JSON.stringify(sim.info.ca_file)}\n`);
    host.whmcs('addon:activate', 'acroniscloud');
    serverId = host.whmcs('server:add', '--name', 'Acronis EU2', '--hostname', 'localhost', '--port', new URL(sim.info.dcs[0].https).port,
      '--secure', 'on', '--username', sim.seed.client.client_id, '--password', sim.seed.client.client_secret,
      '--accesshash', 'client_credentials', '--type', 'acroniscloud').serverid;
    server = await host.serve();
    browser = await launchBrowser();
    page = await browser.newPage();
    page.setDefaultTimeout(10000);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const addon = `${server.url}/admin/addonmodules.php?module=acroniscloud`;
    await page.goto(`${server.url}/admin/login.php?autologin=admin&redirect=${encodeURIComponent('addonmodules.php?module=acroniscloud')}`);
    // A template through the addon's own API, in the admin's session (as the wizard does).
    const infra = sim.seed.infras.find((i) => i.capabilities.includes('backup') && i.platform_owned);
    const created = await page.evaluate(async ([url, body]) => {
      const r = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': window.csrfToken }, body: JSON.stringify(body) });
      return { status: r.status, json: await r.json() };
    }, [`${addon}&action=create_template`, {
      name: 'Customers PW', description: 'Per workload', server_id: serverId, tenant_kind: 'customer', user_role: 'admin',
      applications: [{ type: 'backup', status: 'active', editions: [{ name: 'per_workload', status: 'active' }], offering_items: [
        { name: 'pw_workstations', measurement_unit: 'quantity', infra_id: null, quota_value: 10, status: 'active' },
        { name: 'pw_storage', measurement_unit: 'bytes', infra_id: infra.id, quota_value: 107374182400, status: 'active' },
      ] }],
    }]);
    assert.equal(created.status, 200, JSON.stringify(created.json));
    pid = host.whmcs('product:add', '--name', 'Acronis PW 100', '--module', 'acroniscloud').pid;
    host.whmcs('product:save', pid, '--configoption1', String(created.json.id), '--configoption2', '');
    // A service with a short history: created, suspended, unsuspended.
    provisioned = newService();
    for (const op of ['create', 'suspend', 'unsuspend']) host.whmcs(`module:${op}`, provisioned);
    // A customer made in the Acronis console before WHMCS was used.
    legacy = await simApi(sim, 'POST', '/api/2/tenants', { kind: 'customer', parent_id: sim.seed.root_tenant_id, name: 'Legacy Customer GmbH' });
  });

  after(async () => {
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
    if (browser) await browser.close();
    if (host) await host.destroy();
    if (sim) await sim.stop();
  });

  it('lists the audit trail latest first', async () => {
    await tab(provisioned);
    await page.waitForSelector('table.acroniscloud-audit');
    const actions = await page.$$eval('table.acroniscloud-audit tbody tr', (rows) => rows.map((r) => r.getAttribute('data-action')));
    assert.deepEqual(actions, ['unsuspend', 'suspend', 'create']);
    assert.match(await page.textContent('table.acroniscloud-audit'), /SuspendAccount/);
    assert.equal(await page.$$eval('form.acroniscloud-adopt', (f) => f.length), 0, 'a service with a tenant has no adopt form');
    await shot(page, SUITE, '01-audit-trail');
  });

  it('adopts an existing tenant: keyboard search, dry run, then for real', async () => {
    const service = newService();
    await tab(service);
    await page.waitForSelector('form.acroniscloud-adopt');
    await page.focus('form.acroniscloud-adopt input[name=q]');
    await page.keyboard.type('legacy cust');
    await page.keyboard.press('Enter');
    await page.waitForSelector(`form.acroniscloud-adopt select[name=tenant_id] option[value="${legacy.id}"]`, { state: 'attached' });
    assert.equal(await page.evaluate(() => document.activeElement.name), 'tenant_id', 'the result list takes the focus');
    assert.ok(await page.isChecked('form.acroniscloud-adopt input[name=dry_run]'), 'dry run is the default');
    await page.click('form.acroniscloud-adopt [data-adopt=adopt]');
    await page.waitForSelector('.acroniscloud-adopt-result.alert-success');
    const planText = await page.textContent('.acroniscloud-adopt-result');
    assert.match(planText, /Dry run: nothing was changed/);
    assert.match(planText, /Tenant: .+ \(customer, /, 'the plan names the tenant in words, not JSON');
    assert.doesNotMatch(planText, /[{}]/, 'no raw JSON');
    assert.equal(tenantIdOf(service), '', 'a dry run writes nothing');
    await shot(page, SUITE, '02-adopt-dry-run');

    await page.uncheck('form.acroniscloud-adopt input[name=dry_run]');
    await Promise.all([page.waitForNavigation(), page.click('form.acroniscloud-adopt [data-adopt=adopt]')]);
    await page.waitForSelector('table.acroniscloud-audit');
    assert.equal(tenantIdOf(service), legacy.id);
    assert.deepEqual(await page.$$eval('table.acroniscloud-audit tbody tr', (rows) => rows.map((r) => r.getAttribute('data-action'))), ['adopt']);
    await shot(page, SUITE, '03-adopted');
  });

  it("speaks the admin's language (German)", async () => {
    host.sql("UPDATE tbladmins SET language = 'german' WHERE id = 1");
    try {
      await tab(provisioned);
      await page.waitForSelector('table.acroniscloud-audit');
      const text = await page.textContent('body');
      assert.match(text, /Änderungsprotokoll/);
      assert.match(text, /Vorher → nachher/);
      await shot(page, SUITE, '04-audit-trail-german');
      await tab(newService());
      await page.waitForSelector('form.acroniscloud-adopt');
      assert.match(await page.textContent('form.acroniscloud-adopt'), /Nur prüfen \(Probelauf\)/);
      await shot(page, SUITE, '05-adopt-form-german');
    } finally {
      host.sql("UPDATE tbladmins SET language = 'english' WHERE id = 1");
    }
  });
});
