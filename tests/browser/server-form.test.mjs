// Server form of the admin area (Configuration → Servers) for Acronis servers, in a real browser
// against the Acronis simulator (docs/behaviour.md §A.12): the admin picks "Username and
// password" or "API client (ID and secret)", the fields are labelled accordingly, the Access Hash
// is filled from that choice (never typed by hand), a data-center URL in Hostname becomes a host,
// and a saved login is turned into an API client by the ServerAdd hook.
// Screenshots: tests/artifacts/screenshots/server-form/. Run: node --test tests/browser/
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { WhmcsRoot, REPO, launchBrowser, shot, startSimulator } from './lib/harness.mjs';

const SUITE = 'server-form';
process.env.ACRONISCLOUD_EXT ||= path.join(REPO, 'target/release/libacroniscloud.so');

describe('server form (admin area)', () => {
  let sim, host, server, browser, page, port;
  const pageErrors = [];

  before(async () => {
    sim = await startSimulator();
    port = new URL(sim.info.dcs[0].https).port;
    host = await WhmcsRoot.create(SUITE, { repo: REPO });
    const config = path.join(host.root, 'includes/acroniscloud/config.yaml');
    rmSync(config, { force: true }); // may be a symlink to the repository's file: never write through it
    writeFileSync(config, `cloud_api:\n  ca_file: ${JSON.stringify(sim.info.ca_file)}\n`);
    host.whmcs('addon:activate', 'acroniscloud');
    host.whmcs('server:add', '--name', 'Acronis EU2', '--hostname', 'localhost', '--port', port,
      '--secure', 'on', '--username', sim.seed.client.client_id, '--password', sim.seed.client.client_secret,
      '--accesshash', 'client_credentials', '--type', 'acroniscloud');
    server = await host.serve();
    browser = await launchBrowser();
    page = await browser.newPage();
    page.setDefaultTimeout(8000);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${server.url}/admin/login.php?autologin=admin&redirect=${encodeURIComponent('configservers.php')}`);
  });

  after(async () => {
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
    if (browser) await browser.close();
    if (host) await host.destroy();
    if (sim) await sim.stop();
  });

  const label = (id) => page.textContent(`label[for="${id}"]`);

  it('shows an API-client server with Client ID / Client secret and no Access Hash field', async () => {
    await page.goto(`${server.url}/admin/configservers.php?action=manage&id=1`);
    await page.waitForSelector('#acroniscloudAuth');
    assert.ok(await page.isChecked('#acroniscloudAuth-client'));
    assert.equal(await label('inputUsername'), 'Client ID');
    assert.equal(await label('inputPassword'), 'Client secret');
    assert.equal(await label('inputHostname'), 'URL, Hostname or IP');
    assert.equal(await page.isVisible('#serverHash'), false, 'the access hash is not typed by hand');
    assert.equal(await page.inputValue('#serverHash'), 'client_credentials');
    assert.equal(await page.isVisible('.acroniscloud-auth-hint'), false);
    await shot(page, SUITE, '01-edit-api-client');
  });

  it('switches the labels and the access hash with the radio', async () => {
    await page.check('#acroniscloudAuth-password');
    assert.equal(await label('inputUsername'), 'Username');
    assert.equal(await label('inputPassword'), 'Password');
    assert.equal(await page.inputValue('#serverHash'), 'username');
    assert.ok(await page.isVisible('.acroniscloud-auth-hint'));
    await shot(page, SUITE, '02-edit-username-password');
    // Saving a stored API client as a login without a password would store the secret as one.
    await page.click('#btnSaveServer');
    await page.waitForSelector('.acroniscloud-auth-hint.text-danger');
    assert.match(page.url(), /action=manage&id=1$/, 'not submitted');
    assert.equal(await page.getAttribute('#inputPassword', 'aria-invalid'), 'true');
    assert.deepEqual(host.sql('SELECT accesshash FROM tblservers WHERE id = 1'), [{ accesshash: 'client_credentials' }]);
    await shot(page, SUITE, '02b-login-without-password-refused');
    await page.check('#acroniscloudAuth-client');
    assert.equal(await page.inputValue('#serverHash'), 'client_credentials');
  });

  it('leaves other server modules alone', async () => {
    await page.goto(`${server.url}/admin/configservers.php?action=manage`);
    await page.selectOption('#inputServerType', 'fakemodule');
    assert.equal(await page.isVisible('#acroniscloudAuth'), false);
    assert.ok(await page.isVisible('#serverHash'));
    assert.equal(await label('inputUsername'), 'Username');
    assert.equal(await label('inputHostname'), 'Hostname');
    await shot(page, SUITE, '03-other-module');
  });

  it('adds a server from a login and a data-center URL; the hook turns the login into an API client', async () => {
    await page.goto(`${server.url}/admin/configservers.php?action=manage`);
    await page.selectOption('#inputServerType', 'acroniscloud');
    await page.fill('#inputName', 'Acronis by login');
    await page.fill('#inputHostname', `https://localhost:${port}/ui/`);
    await page.locator('#inputHostname').dispatchEvent('change');
    assert.equal(await page.inputValue('#inputHostname'), 'localhost');
    assert.equal(await page.inputValue('#inputPort'), port);
    assert.ok(await page.isChecked('#inputSecure'));
    await page.check('#acroniscloudAuth-password');
    await page.fill('#inputUsername', sim.seed.admin.login);
    await page.fill('#inputPassword', sim.seed.admin.password);
    await shot(page, SUITE, '04-new-server-login');
    await Promise.all([page.waitForURL(/configservers\.php\?action=manage&id=\d+&saved=1/), page.click('#btnSaveServer')]);
    const id = Number(new URL(page.url()).searchParams.get('id'));
    const [row] = host.sql(`SELECT username, accesshash, hostname, port, secure FROM tblservers WHERE id = ${id}`);
    assert.equal(row.accesshash, 'client_credentials');
    assert.match(row.username, /^[0-9a-f-]{36}$/, 'the login was replaced by the new client id');
    assert.notEqual(row.username, sim.seed.admin.login);
    assert.match(row.hostname, /^(localhost|127\.0\.0\.1)$/);
    await page.waitForSelector('#acroniscloudAuth');
    assert.ok(await page.isChecked('#acroniscloudAuth-client'));
    assert.equal(await label('inputUsername'), 'Client ID');
    await shot(page, SUITE, '05-saved-as-api-client');
  });
});
