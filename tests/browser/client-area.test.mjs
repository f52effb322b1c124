// Client area of an Acronis service in a real browser, against the Acronis simulator
// (docs/behaviour.md §E.1, L57-L63): log in as the client, the three blocks with live data,
// notifications edited and saved (checked in the simulator), "Go to Cloud Console" landing in the
// simulator's console as the Cloud user (one-time login), a phone-width run and a German run.
// Screenshots: tests/artifacts/screenshots/client-area/. Run: node --test tests/browser/*.test.mjs
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { WhmcsRoot, REPO, launchBrowser, shot, startSimulator } from './lib/harness.mjs';

const SUITE = 'client-area';
process.env.ACRONISCLOUD_EXT ||= path.join(REPO, 'target/release/libacroniscloud.so');

/** The simulator's API as its seeded API client (arranging state, like an operator would). */
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

describe('client area of a service', () => {
  let sim, host, server, browser, page, serviceId, user, tenantId, clientEmail;
  const pageErrors = [];

  before(async () => {
    sim = await startSimulator();
    // Tenant with backup items and usage, and its user with two active notifications.
    const root = sim.seed.root_tenant_id;
    const tenant = await simApi(sim, 'POST', '/api/2/tenants', { kind: 'customer', parent_id: root, name: 'Acme Ltd', contact: { email: 'it@acme.test' } });
    tenantId = tenant.id;
    const backup = sim.seed.applications.find((a) => a.type === 'backup').id;
    const infra = sim.seed.infras[0].id;
    await simApi(sim, 'POST', `/api/2/applications/${backup}/bindings/tenants/${tenantId}`, {});
    await simApi(sim, 'PUT', `/api/2/tenants/${tenantId}/offering_items`, { offering_items: [
      { application_id: backup, name: 'pw_workstations', status: 1, quota: { value: 10, overage: 0 } },
      { application_id: backup, name: 'pw_storage', infra_id: infra, status: 1, quota: { value: 107374182400, overage: 0 } },
      { application_id: backup, name: 'local_storage', status: 1, quota: { value: null, overage: 0 } },
    ] });
    await simControl(sim, 'PUT', '/usage', { items: [
      { tenant_id: tenantId, name: 'pw_workstations', value: 3 },
      { tenant_id: tenantId, name: 'pw_storage', infra_id: infra, value: 5368709120 },
      { tenant_id: tenantId, name: 'local_storage', value: 2147483648 },
    ] });
    user = await simApi(sim, 'POST', '/api/2/users', { tenant_id: tenantId, login: 'acme-admin', contact: { email: 'it@acme.test' } });
    user = await simApi(sim, 'PUT', `/api/2/users/${user.id}`, { notifications: ['backup_error', 'quota'], version: user.version });

    host = await WhmcsRoot.create(SUITE, { repo: REPO, extra: [] });
    const config = path.join(host.root, 'includes/acroniscloud/config.yaml');
    rmSync(config, { force: true }); // may be a symlink to the repository's file: never write through it
    writeFileSync(config, `cloud_api:\n  ca_file: ${JSON.stringify(sim.info.ca_file)}\n`);
    const serverId = host.whmcs('server:add', '--name', 'Acronis EU2', '--hostname', 'localhost', '--port', new URL(sim.info.dcs[0].https).port,
      '--secure', 'on', '--username', sim.seed.client.client_id, '--password', sim.seed.client.client_secret,
      '--accesshash', 'client_credentials', '--type', 'acroniscloud').serverid;
    host.sql("INSERT INTO tblcurrencies (code, prefix, suffix, format, rate, \"default\") VALUES ('EUR', '€', '', 1, 1, 0)");
    host.sql("UPDATE tblclients SET currency = (SELECT id FROM tblcurrencies WHERE code = 'EUR') WHERE id = 1");
    host.sql("INSERT INTO tblpaymentgateways (gateway, setting, value, \"order\") VALUES ('banktransfer', 'name', 'Bank Transfer', 2)");
    host.sql("UPDATE tblproducts SET name = 'Acronis PW 100' WHERE id = 1");
    serviceId = host.whmcs('service:add', '--pid', 1, '--userid', 1, '--server', serverId, '--status', 'Active',
      '--customfield', `tenant_id=${tenantId}`, '--customfield', `user_id=${user.id}`).serviceid;
    host.sql("UPDATE tblhosting SET regdate = '2024-01-15', nextduedate = '2024-02-15', billingcycle = 'Monthly', amount = 25, paymentmethod = 'banktransfer' WHERE id = ?", [serviceId]);
    clientEmail = host.sql('SELECT email FROM tblclients WHERE id = 1')[0].email;

    server = await host.serve();
    // The simulator's console is HTTPS with the simulator's own CA.
    browser = await launchBrowser({ ignoreHTTPSErrors: true });
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

  const ready = (p = page) => p.waitForSelector('#acroniscloud-client[data-ready="1"]');
  const text = (selector, p = page) => p.textContent(selector).then((s) => s.replace(/\s+/g, ' ').trim());

  it('logs in as the client and lands on the module page with three blocks of live data', async () => {
    await page.goto(`${server.url}/login.php`);
    await page.fill('#inputEmail', clientEmail);
    await page.fill('#inputPassword', 'password');
    await Promise.all([page.waitForNavigation(), page.click('#login')]);
    await page.goto(`${server.url}/clientarea.php?action=productdetails&id=${serviceId}`);
    assert.match(page.url(), new RegExp(`id=${serviceId}&modop=custom&a=ClientAreaManagement$`), 'L57: redirected to the module page');
    await ready();
    assert.equal(await text('#acc-account-title'), 'Account');
    assert.equal(await text('[data-field="login"] dd'), 'acme-admin');
    assert.equal(await text('[data-field="email"] dd'), 'it@acme.test');
    assert.equal(await text('#acc-console'), 'Go to Cloud Console');
    assert.deepEqual(await page.$$eval('#acc-notifications li', (l) => l.map((e) => e.dataset.type)), ['backup_error', 'quota']);
    assert.equal(await text('[data-field="name"] dd'), 'Acronis PW 100');
    assert.equal(await text('[data-field="status"] dd'), 'Active');
    assert.equal(await text('[data-field="billing_cycle"] dd'), 'Monthly');
    assert.equal(await text('[data-field="registration_date"] dd'), 'Jan 15, 2024');
    assert.equal(await text('[data-field="billing_amount"] dd'), '€25.00');
    assert.equal(await text('[data-field="payment_method"] dd'), 'Bank Transfer');
    assert.equal(await text('[data-item="pw_workstations"] .acc-usage-value'), '3 used of 10');
    assert.equal(await text('[data-item="pw_storage"] .acc-usage-value'), '5 GB used of 100 GB');
    assert.equal(await text('[data-item="local_storage"] .acc-usage-value'), '2 GB used');
    // Module-behaviour E.1: within the application, items grouped by resource type.
    assert.deepEqual(await page.$$eval('.acc-usage-resource', (l) => l.map((g) => [g.dataset.resourceType,
      g.querySelector('.acc-usage-resource-title').textContent, [...g.querySelectorAll('.acc-usage-item')].map((e) => e.dataset.item)])),
    [['data', 'Data sources', ['pw_workstations']], ['local', 'Local backup', ['local_storage']], ['cloud', 'Cloud resources', ['pw_storage']]]);
    await shot(page, SUITE, '01-service-page');
  });

  it('edits notifications: Cancel keeps them, Done saves them in the Cloud', async () => {
    await page.click('#acc-notifications-edit');
    await page.waitForSelector('#acc-notifications-form');
    assert.ok(await page.isChecked('#acc-note-backup-backup_error'));
    await page.check('#acc-note-backup-backup_info');
    await page.click('#acc-notifications-cancel');
    assert.deepEqual(await page.$$eval('#acc-notifications li', (l) => l.map((e) => e.dataset.type)), ['backup_error', 'quota']);

    await page.click('#acc-notifications-edit');
    await page.check('#acc-note-backup-backup_info');
    await page.uncheck('#acc-note-platform-quota');
    await shot(page, SUITE, '02-notifications-edit');
    await page.click('#acc-notifications-done');
    await page.waitForSelector('#acc-notifications-edit');
    assert.deepEqual(await page.$$eval('#acc-notifications li', (l) => l.map((e) => e.dataset.type)), ['backup_info', 'backup_error']);
    const state = await simControl(sim, 'GET', `/state/users/${user.id}`);
    assert.deepEqual(state.notifications, ['backup_info', 'backup_error']);
    assert.equal(state.version, user.version + 1);
    await shot(page, SUITE, '03-notifications-saved');

    // Everything off: the empty state.
    await page.click('#acc-notifications-edit');
    await page.uncheck('#acc-note-backup-backup_info');
    await page.uncheck('#acc-note-backup-backup_error');
    await page.click('#acc-notifications-done');
    await page.waitForSelector('#acc-notifications-none');
    assert.equal(await text('#acc-notifications-none'), 'All notifications disabled.');
    assert.deepEqual((await simControl(sim, 'GET', `/state/users/${user.id}`)).notifications, []);
  });

  it('opens the Cloud console as the Cloud user (single sign-on with a one-time login)', async () => {
    const [consolePage] = await Promise.all([browser.waitForEvent('page'), page.click('#acc-console')]);
    await consolePage.waitForURL(/\/ui\/$/);
    await consolePage.waitForSelector('#console-user');
    assert.equal(await consolePage.getAttribute('#console-user', 'data-user-id'), user.id);
    assert.match(await text('#console-user', consolePage), /Logged in as acme-admin/);
    assert.ok(!consolePage.url().includes('ott='), 'the token is not left in the address bar');
    await shot(consolePage, SUITE, '04-console-after-sso');
    await consolePage.close();
  });

  it('fits a phone screen (375 px)', async () => {
    const phone = await browser.newPage();
    phone.on('pageerror', (e) => pageErrors.push(e.message));
    await phone.setViewportSize({ width: 375, height: 812 });
    await phone.goto(`${server.url}/clientarea.php?action=productdetails&id=${serviceId}&modop=custom&a=ClientAreaManagement`);
    await ready(phone);
    const layout = await phone.evaluate(() => {
      const root = document.getElementById('acroniscloud-client');
      const blocks = [...root.querySelectorAll('.acc-block')].map((b) => b.getBoundingClientRect());
      return {
        overflow: root.scrollWidth - root.clientWidth,
        columns: new Set(blocks.map((r) => Math.round(r.left))).size,
        widest: Math.max(...blocks.map((r) => r.right)),
        button: document.getElementById('acc-console').getBoundingClientRect().height,
      };
    });
    assert.equal(layout.overflow, 0, 'no horizontal scrolling inside the module');
    assert.equal(layout.columns, 1, 'blocks stacked in one column');
    assert.ok(layout.widest <= 375, `blocks fit the screen (${layout.widest})`);
    assert.ok(layout.button >= 40, 'touch-sized button');
    await shot(phone, SUITE, '05-phone-375');
    await phone.close();
  });

  it("speaks the client's language (German)", async () => {
    host.sql("UPDATE tblclients SET language = 'german' WHERE id = 1");
    await page.goto(`${server.url}/clientarea.php?action=productdetails&id=${serviceId}&modop=custom&a=ClientAreaManagement`);
    await ready();
    assert.equal(await text('#acc-account-title'), 'Konto');
    assert.equal(await text('#acc-subscription-title'), 'Abonnement');
    assert.equal(await text('#acc-usage-title'), 'Nutzung');
    assert.equal(await text('#acc-console'), 'Zur Cloud-Konsole');
    assert.equal(await text('[data-field="billing_cycle"] dd'), 'Monatlich');
    assert.equal(await text('[data-field="status"] dd'), 'Aktiv');
    assert.equal(await text('#acc-notifications-none'), 'Alle Benachrichtigungen sind deaktiviert.');
    assert.match(await text('[data-item="pw_storage"] .acc-usage-value'), /^5 GB von 100 GB genutzt$/);
    assert.deepEqual(await page.$$eval('.acc-usage-resource-title', (l) => l.map((e) => e.textContent)),
      ['Datenquellen', 'Lokales Backup', 'Cloud-Ressourcen']);
    assert.equal(await text('[data-field="billing_amount"] dd'), '25,00 €');
    await page.click('#acc-notifications-edit');
    assert.equal(await text('label[for="acc-note-platform-quota"]'), 'Kontingentüberschreitung');
    await shot(page, SUITE, '06-german');
  });
});
