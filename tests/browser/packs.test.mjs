// Advanced packs in the template wizard and the legacy-editions page (manual 6.2, 6.6.3) of the
// admin area in a real browser, against the Acronis simulator, in English and German.
// Screenshots: tests/artifacts/screenshots/packs/. Run: node --test tests/browser/packs.test.mjs
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { WhmcsRoot, REPO, launchBrowser, shot, startSimulator } from './lib/harness.mjs';

const SUITE = 'packs';
process.env.ACRONISCLOUD_EXT ||= path.join(REPO, 'target/release/libacroniscloud.so');

describe('advanced packs and legacy editions (admin area)', () => {
  let sim, host, server, browser, page, base;
  const pageErrors = [];

  before(async () => {
    sim = await startSimulator();
    host = await WhmcsRoot.create(SUITE, { repo: REPO, extra: [] });
    const config = path.join(host.root, 'includes/acroniscloud/config.yaml');
    rmSync(config, { force: true }); // may be a symlink to the repository's file: never write through it
    writeFileSync(config, `cloud_api:\n  ca_file: ${JSON.stringify(sim.info.ca_file)}\n`);
    host.whmcs('addon:activate', 'acroniscloud');
    host.whmcs('server:add', '--name', 'Acronis EU2', '--hostname', 'localhost', '--port', new URL(sim.info.dcs[0].https).port,
      '--secure', 'on', '--username', sim.seed.client.client_id, '--password', sim.seed.client.client_secret,
      '--accesshash', 'client_credentials', '--type', 'acroniscloud');
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

  const apiGet = (action, query = '') => page.evaluate(async (url) => (await fetch(url)).json(), `${base}&action=${action}${query}`);
  /** POST of an admin API action with the page's CSRF token. */
  const apiPost = (action, body) => page.evaluate(async ([url, b]) => {
    const r = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': window.csrfToken }, body: JSON.stringify(b) });
    return r.json();
  }, [`${base}&action=${action}`, body]);

  it('shows the items of a ticked pack only, and saves their quotas', async () => {
    await page.goto(base);
    await page.click('#acl-create');
    await page.fill('#acl-name', 'PW + security');
    await page.click('#acl-next');
    await page.check('#acl-app-backup');
    await page.waitForSelector('#acl-edition-backup-per_workload:checked');
    // The packs manual 6.6.3 suggests for Cyber Protect Standard (the legacy test below).
    await page.check('#acl-pack-advanced_management');
    await page.check('#acl-pack-advanced_security');
    await shot(page, SUITE, '01-packs-ticked');
    await page.click('#acl-next');
    await page.waitForSelector('#acl-item-pw_adv_security_workloads');
    assert.ok(await page.isVisible('#acl-item-pw_adv_management_workloads'));
    assert.equal(await page.$('#acl-item-pw_adv_backup_servers'), null, 'an unticked pack shows no items');
    await page.check('#acl-item-pw_workstations');
    await page.fill('#acl-item-pw_workstations-quota', '4');
    await page.check('#acl-item-pw_storage');
    await page.fill('#acl-item-pw_storage-quota', '100');
    await page.check('#acl-item-pw_adv_security_workloads');
    await page.fill('#acl-item-pw_adv_security_workloads-quota', '6');
    await shot(page, SUITE, '02-pack-items-configured');
    // Save from the keyboard: the long step scrolls, and a pointer click on the button at the
    // bottom of the page was seen landing on the form instead.
    await page.focus('#acl-save');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#acl-templates tbody tr, #acl-error-summary');
    assert.equal(await page.$('#acl-error-summary'), null, await page.textContent('#acl-live'));
    const list = await apiGet('list_templates');
    const tpl = await apiGet('get_template', `&template_id=${list.find((x) => x.name === 'PW + security').id}`);
    assert.deepEqual(tpl.advanced_packs, ['advanced_management', 'advanced_security']);
    const items = Object.fromEntries(tpl.applications.find((a) => a.type === 'backup').offering_items.map((i) => [i.name, i]));
    assert.equal(items.pw_adv_security_workloads.quota_value, 6);
  });

  it('lists the services on legacy editions with a dry run, then switches the chosen one', async () => {
    const infra = sim.seed.infras.find((i) => i.capabilities.includes('backup') && i.platform_owned).id;
    const legacy = await apiPost('create_template', {
      name: 'Legacy CP std', description: '', server_id: 1, tenant_kind: 'customer', user_role: 'admin',
      applications: [{ type: 'backup', status: 'active', editions: [{ name: 'cyber_protect_std', status: 'active' }], offering_items: [
        { name: 'p_workstations', measurement_unit: 'quantity', infra_id: null, quota_value: 4, status: 'active' },
        { name: 'p_servers', measurement_unit: 'quantity', infra_id: null, quota_value: 2, status: 'active' },
        { name: 'p_storage', measurement_unit: 'bytes', infra_id: infra, quota_value: 100 * 1024 ** 3, status: 'active' }] }],
    });
    assert.ok(legacy.id, JSON.stringify(legacy));
    const target = (await apiGet('list_templates')).find((x) => x.name === 'PW + security').id;
    const legacyPid = host.whmcs('product:add', '--name', 'Acronis legacy', '--module', 'acroniscloud').pid;
    host.whmcs('product:save', String(legacyPid), '--configoption1', String(legacy.id), '--configoption2', '');
    const newPid = host.whmcs('product:add', '--name', 'Acronis new licensing', '--module', 'acroniscloud').pid;
    host.whmcs('product:save', String(newPid), '--configoption1', String(target), '--configoption2', '');
    const service = host.whmcs('service:add', '--pid', String(legacyPid), '--server', '1', '--userid', '1').serviceid;
    host.whmcs('module:create', String(service));

    await page.goto(base);
    await page.click('#acl-legacy');
    await page.waitForSelector(`#acl-legacy-services tr[data-service-id="${service}"]`);
    const row = await page.textContent(`#acl-legacy-services tr[data-service-id="${service}"]`);
    assert.match(row, /Acronis new licensing/);
    assert.match(row, /Advanced Security/);
    assert.match(row, /suggested 6, new product 6/);
    assert.equal(await page.evaluate(() => document.activeElement.tagName), 'H2', 'focus on the page heading');
    await shot(page, SUITE, '03-legacy-dry-run');

    // Keyboard only: tab to the service's checkbox, space, then the switch button.
    await page.focus(`#acl-legacy-${service}`);
    await page.keyboard.press('Space');
    await page.focus('#acl-legacy-run');
    await page.keyboard.press('Enter');
    await page.waitForSelector(`#acl-legacy-results li[data-service-id="${service}"]`);
    assert.match(await page.textContent('#acl-legacy-results'), new RegExp(`Service ${service}: switched\\.`));
    await page.waitForSelector('#acl-legacy-empty');
    await shot(page, SUITE, '04-legacy-switched');
    const pid = host.sql('SELECT packageid FROM tblhosting WHERE id = ?', [service])[0].packageid;
    assert.equal(Number(pid), newPid);
  });

  it("shows the legacy page in the admin's language (German)", async () => {
    host.whmcs('sql', "UPDATE tbladmins SET language = 'german' WHERE id = 1");
    try {
      await page.goto(base);
      assert.equal(await page.textContent('#acl-legacy'), 'Legacy-Editionen');
      await page.click('#acl-legacy');
      await page.waitForSelector('#acl-legacy-empty');
      assert.equal(await page.textContent('#acl-legacy-empty'), 'Kein Service verwendet eine Legacy-Edition.');
      await shot(page, SUITE, '05-legacy-german');
      await page.click('#acl-legacy-back');
      await page.click('#acl-create');
      await page.fill('#acl-name', 'DE Pakete');
      await page.click('#acl-next');
      await page.check('#acl-app-backup');
      await page.check('#acl-pack-advanced_backup');
      await page.click('#acl-next');
      await page.waitForSelector('#acl-item-pw_adv_backup_servers');
      assert.match(await page.textContent('#acl-configure'), /Advanced Backup - Arbeitsstationen/);
      await shot(page, SUITE, '06-pack-items-german');
    } finally {
      host.whmcs('sql', "UPDATE tbladmins SET language = 'english' WHERE id = 1");
    }
  });
});
