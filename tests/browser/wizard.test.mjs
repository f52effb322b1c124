// Template wizard of the admin area (Addons → Acronis Cyber Cloud) in a real browser, against the
// Acronis simulator: list, 3-step create, validation next to the field, edit, copy, delete
// refused/allowed, "Add configurable options", keyboard-only step 1.
// Screenshots: tests/artifacts/screenshots/wizard/. Run: node --test tests/browser/*.test.mjs
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { WhmcsRoot, REPO, launchBrowser, shot, startSimulator } from './lib/harness.mjs';

const SUITE = 'wizard';
const GB = 1024 ** 3;
process.env.ACRONISCLOUD_EXT ||= path.join(REPO, 'target/release/libacroniscloud.so');

describe('template wizard (admin area)', () => {
  let sim, host, server, browser, page, base, templateId;
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

  /** GET of an admin API action in the page's session. */
  const apiGet = (action, query = '') => page.evaluate(async (url) => (await fetch(url)).json(), `${base}&action=${action}${query}`);
  const status = () => page.textContent('#acl-live');
  /** Save from the keyboard: with the page scrolled to the bottom, Chromium scrolls the page when
   * the focus leaves a quota field, so a pointer's mouseup can land beside the button. */
  const pressSave = async () => { await page.focus('#acl-save'); await page.keyboard.press('Enter'); };

  it('shows the page with its assets and the empty template list', async () => {
    await page.goto(base);
    await page.waitForSelector('#acl-create');
    const boot = await page.evaluate(() => ({ ...window.acronis, t: undefined }));
    assert.equal(boot.modulelink, 'addonmodules.php?module=acroniscloud');
    assert.match(boot.version, /\d/);
    assert.equal(await page.$$eval('link[href*="assets/admin.css?v="]', (l) => l.length), 1);
    assert.ok(await page.isVisible('#acl-templates-empty'));
    await shot(page, SUITE, '01-template-list-empty');
  });

  it('refuses an empty name next to the name field', async () => {
    await page.click('#acl-create');
    await page.waitForSelector('#acl-name');
    await page.click('#acl-next');
    await page.waitForSelector('#acl-err-name');
    assert.equal(await page.textContent('#acl-err-name'), 'The name field is required.');
    assert.equal(await page.getAttribute('#acl-name', 'aria-invalid'), 'true');
    assert.equal(await page.getAttribute('#acl-name', 'aria-describedby'), 'acl-err-name');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'acl-name');
    assert.match(await page.textContent('#acl-error-summary'), /The name field is required\./);
    await shot(page, SUITE, '02-validation-empty-name');
  });

  it('creates a customer template through the three steps', async () => {
    // Step 1: General info
    await page.fill('#acl-name', 'Customers PW');
    await page.fill('#acl-description', 'Per workload with cloud storage');
    assert.equal(await page.inputValue('#acl-server_id'), '1');
    assert.ok(await page.isChecked('#acl-tenant_kind-customer'));
    await page.check('#acl-mode-trial');
    await page.check('#acl-two_factor_auth');
    await shot(page, SUITE, '03-step-general-info');
    await page.click('#acl-next');

    // Step 2: Select services
    await page.waitForSelector('#acl-app-backup');
    assert.ok(await page.isDisabled('#acl-pack-advanced_backup'));
    await page.check('#acl-app-backup');
    await page.waitForSelector('#acl-edition-backup-per_workload:checked');
    await page.check('#acl-pack-advanced_backup');
    await shot(page, SUITE, '04-step-select-services');
    await page.click('#acl-next');

    // Step 3: Configure services
    await page.waitForSelector('#acl-configure');
    const infra = sim.seed.infras.find((i) => i.capabilities.includes('backup') && i.platform_owned).id;
    assert.equal(await page.inputValue('#acl-infra-backup'), infra);
    await page.check('#acl-item-pw_workstations');
    await page.fill('#acl-item-pw_workstations-quota', '10');
    await page.check('#acl-item-pw_storage');
    await page.fill('#acl-item-pw_storage-quota', '100');
    await shot(page, SUITE, '05-step-configure-services');
    await pressSave();

    await page.waitForSelector('#acl-templates tbody tr');
    assert.equal(await status(), 'Template "Customers PW" was saved.');
    assert.deepEqual(await page.$$eval('#acl-templates tbody tr td:nth-child(-n+3)', (tds) => tds.map((td) => td.textContent)),
      ['Customers PW', 'Customer', 'Acronis EU2']);
    await shot(page, SUITE, '06-template-saved');

    const list = await apiGet('list_templates');
    templateId = list[0].id;
    const tpl = await apiGet('get_template', `&template_id=${templateId}`);
    assert.equal(tpl.mode, 'trial');
    assert.equal(tpl.two_factor_auth, true);
    assert.deepEqual(tpl.advanced_packs, ['advanced_backup']);
    const backup = tpl.applications.find((a) => a.type === 'backup');
    assert.equal(backup.status, 'active');
    assert.deepEqual(backup.editions.filter((e) => e.status === 'active').map((e) => e.name), ['per_workload']);
    const items = Object.fromEntries(backup.offering_items.map((i) => [i.name, i]));
    assert.equal(items.pw_workstations.quota_value, 10);
    assert.equal(items.pw_storage.quota_value, 100 * GB); // GB in the UI, bytes on the wire
    assert.equal(items.pw_storage.infra_id, infra);
  });

  it('edits the template with the account type and administrator switch locked', async () => {
    await page.click(`tr[data-template-id="${templateId}"] [data-action=edit]`);
    await page.waitForSelector('#acl-name');
    assert.equal(await page.inputValue('#acl-name'), 'Customers PW');
    assert.ok(await page.isDisabled('#acl-tenant_kind-customer'));
    assert.ok(await page.isDisabled('#acl-tenant_kind-partner'));
    assert.ok(await page.isDisabled('#acl-user_role'));
    assert.ok(await page.isDisabled('#acl-server_id'));
    await page.fill('#acl-name', 'Customers PW (edited)');
    await shot(page, SUITE, '07-edit-general-info');
    await page.click('#acl-next');
    await page.waitForSelector('#acl-app-backup:checked');
    await page.click('#acl-next');
    await page.waitForSelector('#acl-item-pw_storage:checked');
    assert.equal(await page.inputValue('#acl-item-pw_storage-quota'), '100');
    // A fractional quantity passes the browser but not the server: its 422 lands next to the services.
    await page.fill('#acl-item-pw_workstations-quota', '2.5');
    await pressSave();
    await page.waitForSelector('#acl-err-applications');
    assert.match(await page.textContent('#acl-err-applications'), /Offering item quota value \(if set\) must be a positive integer\./);
    assert.match(await page.textContent('#acl-error-summary'), /must be a positive integer/);
    assert.equal(await status(), 'The template was not saved: Invalid template data.');
    await shot(page, SUITE, '07b-server-validation-services');
    await page.fill('#acl-item-pw_workstations-quota', '25');
    await pressSave();
    await page.waitForSelector('#acl-templates tbody tr');
    assert.equal(await status(), 'Template "Customers PW (edited)" was saved.');
    const tpl = await apiGet('get_template', `&template_id=${templateId}`);
    assert.equal(tpl.name, 'Customers PW (edited)');
    assert.equal(tpl.applications.find((a) => a.type === 'backup').offering_items.find((i) => i.name === 'pw_workstations').quota_value, 25);
  });

  it('copies the template', async () => {
    await page.click(`tr[data-template-id="${templateId}"] [data-action=copy]`);
    await page.waitForSelector('.acl-dialog input');
    await page.fill('.acl-dialog input', 'Customers PW copy');
    await page.press('.acl-dialog input', 'Enter');
    await page.waitForFunction(() => document.querySelectorAll('#acl-templates tbody tr').length === 2);
    assert.match(await status(), /was copied to "Customers PW copy"/);
    await shot(page, SUITE, '08-template-copied');
  });

  it('refuses to delete a template used by products and lists them, then deletes it', async () => {
    const pid = host.whmcs('product:add', '--name', 'Backup Pro', '--module', 'acroniscloud').pid;
    host.sql('UPDATE tblproducts SET configoption1 = ? WHERE id = ?', [String(templateId), pid]);
    await page.click(`tr[data-template-id="${templateId}"] [data-action=delete]`);
    await page.waitForSelector('.acl-dialog [data-role=confirm]');
    await shot(page, SUITE, '09-delete-confirmation');
    await page.click('.acl-dialog [data-role=confirm]');
    await page.waitForSelector('#acl-live.acl-live-error');
    assert.equal(await status(), 'Cannot delete template because it is still used by the following products: Backup Pro');
    assert.equal(await page.$$eval('#acl-templates tbody tr', (r) => r.length), 2);
    await shot(page, SUITE, '10-delete-refused');

    host.sql('UPDATE tblproducts SET configoption1 = ? WHERE id = ?', ['', pid]);
    await page.click(`tr[data-template-id="${templateId}"] [data-action=delete]`);
    await page.click('.acl-dialog [data-role=confirm]');
    await page.waitForFunction(() => document.querySelectorAll('#acl-templates tbody tr').length === 1);
    assert.equal(await status(), 'Template "Customers PW (edited)" was deleted.');
    await shot(page, SUITE, '11-deleted');
  });

  it('adds configurable options for an edition', async () => {
    await page.click('#acl-add-options');
    await page.waitForSelector('.acl-dialog select option[value=per_workload]', { state: 'attached' });
    await page.fill('.acl-dialog input >> nth=0', 'Acronis PW options');
    await page.selectOption('.acl-dialog select >> nth=1', 'per_workload');
    await page.click('.acl-dialog [data-role=confirm]');
    await page.waitForSelector('#acl-options-created');
    const [group] = host.sql("SELECT id FROM tblproductconfiggroups WHERE name = 'Acronis PW options'");
    assert.match(await page.textContent('#acl-options-created'), new RegExp(`group #${group.id} was created`));
    assert.ok(host.sql('SELECT COUNT(*) AS n FROM tblproductconfigoptions WHERE gid = ?', [group.id])[0].n > 0);
    await shot(page, SUITE, '12-configurable-options');
    await page.keyboard.press('Escape');
    await page.waitForSelector('.acl-dialog', { state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement.id), 'acl-add-options'); // focus back on the opener
  });

  it('walks step 1 with the keyboard only', async () => {
    await page.goto(base);
    await page.waitForSelector('#acl-create');
    /** Presses Tab until the element with `id` has focus. */
    const tabTo = async (id, max = 30) => {
      for (let i = 0; i < max; i++) {
        if (await page.evaluate((x) => document.activeElement && document.activeElement.id === x, id)) return;
        await page.keyboard.press('Tab');
      }
      throw new Error(`#${id} not reachable with Tab`);
    };
    await tabTo('acl-create');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#acl-name');
    await tabTo('acl-name');
    await page.keyboard.type('Keyboard partners');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Made without a mouse');
    await tabTo('acl-tenant_kind-customer');
    await page.keyboard.press('ArrowRight'); // radio group: arrow selects Partner
    await page.waitForSelector('#acl-tenant_kind-partner:checked');
    assert.ok(await page.isDisabled('#acl-user_role')); // partner forces the admin role
    assert.ok(await page.isChecked('#acl-user_role'));
    assert.equal(await page.$('#acl-mode-trial'), null); // trial mode is customer-only
    // the focused control shows a visible focus ring
    await tabTo('acl-two_factor_auth');
    assert.notEqual(await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle), 'none');
    await page.keyboard.press('Space');
    assert.ok(await page.isChecked('#acl-two_factor_auth'));
    await shot(page, SUITE, '13-keyboard-step1');
    await tabTo('acl-next');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#acl-app-backup');
    assert.match(await page.textContent('#acl-step-heading'), /Step 2 of 3: Select services/);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'acl-step-heading');
    await shot(page, SUITE, '14-keyboard-step2');
  });

  it("switches to the admin's language", async () => {
    host.whmcs('sql', "UPDATE tbladmins SET language = 'german' WHERE id = 1");
    try {
      await page.goto(base);
      await page.waitForSelector('#acl-create');
      assert.equal(await page.evaluate(() => window.acronis.locale), 'de_DE');
      await page.click('#acl-create');
      await page.waitForSelector('#acl-name');
      assert.match(await page.textContent('body'), /Allgemeine Informationen/);
      await page.click('#acl-next');
      await page.waitForSelector('#acl-err-name');
      assert.notEqual(await page.textContent('#acl-err-name'), 'The name field is required.', 'errors follow the language too');
      await shot(page, SUITE, '15-german');
    } finally {
      host.whmcs('sql', "UPDATE tbladmins SET language = 'english' WHERE id = 1");
    }
  });
});
