// Smoke suite of the browser mode with the fake module fixture (tests/fixtures/fakemodule):
// admin login → addon page → form POST with/without CSRF token → JSON action; client area product page with a
// custom function page and an allowed AJAX function; configservers Test Connection.
// Run: node --test tests/browser/*.test.mjs   (after `npm ci` in tests/browser)
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { WhmcsRoot, launchBrowser, shot } from './lib/harness.mjs';

const SUITE = 'smoke';

describe('browser mode smoke (fake module)', () => {
  let host, server, browser, page, ids;

  before(async () => {
    host = await WhmcsRoot.create(SUITE);
    host.whmcs('addon:activate', 'fakeaddon');
    const pid = host.whmcs('product:add', '--name', 'Fake Product', '--module', 'fakemodule', '--configoption1', 'ok').pid;
    const serverid = host.whmcs('server:add', '--name', 'Fake Server', '--hostname', 'ok.example.test', '--username', 'srv-user',
      '--password', 'srv-pass', '--type', 'fakemodule').serverid;
    const serviceid = host.whmcs('service:add', '--pid', pid, '--server', serverid, '--status', 'Active', '--customfield', 'tenant_id=tenant-42').serviceid;
    ids = { pid, serverid, serviceid };
    server = await host.serve();
    browser = await launchBrowser();
    page = await browser.newPage();
  });

  after(async () => {
    if (browser) await browser.close();
    if (host) await host.destroy();
  });

  it('redirects to the admin login and logs in with the form', async () => {
    await page.goto(`${server.url}/admin/addonmodules.php?module=fakeaddon`);
    assert.match(page.url(), /\/admin\/login\.php\?redirect=/);
    await shot(page, SUITE, '01-admin-login');
    await page.fill('#inputUsername', 'admin');
    await page.fill('#inputPassword', 'admin');
    await Promise.all([page.waitForURL(/addonmodules\.php\?module=fakeaddon/), page.click('#btnLogin')]);
  });

  it('renders the addon _output page in the admin layout', async () => {
    assert.equal(await page.textContent('#fakeaddon-title'), 'Hello from the fake addon');
    assert.equal(await page.textContent('#fakeaddon-version'), 'version 1.1');
    assert.equal(await page.textContent('#fakeaddon-sidebar'), 'Fake sidebar');
    assert.equal(await page.getAttribute('#fakeaddon-header-hook', 'data-filename'), 'addonmodules');
    // module CSS served from modules/addons/fakeaddon/assets with text/css
    assert.equal(await page.$eval('#fakeaddon-title', (el) => getComputedStyle(el).color), 'rgb(10, 120, 40)');
    assert.ok(await page.evaluate(() => typeof window.csrfToken === 'string' && window.csrfToken.length > 10));
    await shot(page, SUITE, '02-addon-page');
  });

  it('accepts a form POST carrying the CSRF token', async () => {
    await page.fill('#fakeaddon-note', 'hello browser');
    await Promise.all([page.waitForLoadState('load'), page.waitForSelector('#fakeaddon-saved'), page.click('#fakeaddon-submit')]);
    assert.equal(await page.textContent('#fakeaddon-saved'), 'Saved: hello browser');
    assert.deepEqual(host.sql("SELECT value FROM tbladdonmodules WHERE module = 'fakeaddon' AND setting = 'note'"), [{ value: 'hello browser' }]);
    await shot(page, SUITE, '03-form-post-with-token');
  });

  it('refuses a form POST without the token (403, module not called)', async () => {
    await page.goto(`${server.url}/admin/addonmodules.php?module=fakeaddon`);
    await page.fill('#fakeaddon-note-notoken', 'forged');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.click('#fakeaddon-submit-notoken'),
    ]);
    assert.equal(response.status(), 403);
    await page.waitForSelector('#csrf-error');
    assert.equal(await page.textContent('#csrf-error'), 'Invalid CSRF Protection Token');
    assert.deepEqual(host.sql("SELECT value FROM tbladdonmodules WHERE module = 'fakeaddon' AND setting = 'note'"), [{ value: 'hello browser' }]);
    await shot(page, SUITE, '04-form-post-without-token');
  });

  it('answers the JSON action with JSON (module headers, exit, no layout)', async () => {
    await page.goto(`${server.url}/admin/addonmodules.php?module=fakeaddon`);
    await page.click('#fakeaddon-json');
    await page.waitForFunction(() => document.getElementById('fakeaddon-json-out').textContent !== '');
    const json = JSON.parse(await page.textContent('#fakeaddon-json-out'));
    assert.equal(json.ok, true);
    assert.equal(json.method, 'POST');
    assert.deepEqual(json.body, { ping: 'pong' });
    assert.equal(json.modulelink, 'addonmodules.php?module=fakeaddon');
    assert.equal(json.adminid, 1);
    // the same JSON POST without a token is refused before the module runs
    const refused = await page.evaluate(async () => {
      const r = await fetch('addonmodules.php?module=fakeaddon&action=json', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
      return { status: r.status, csrf: r.headers.get('x-whmcshost-csrf') };
    });
    assert.deepEqual(refused, { status: 403, csrf: 'invalid' });
    const get = await page.request.get(`${server.url}/admin/addonmodules.php?module=fakeaddon&action=json`);
    assert.equal(get.headers()['content-type'], 'application/json');
    assert.equal(get.headers()['x-fake-addon'], 'json');
    await shot(page, SUITE, '05-json-action');
  });

  it('shows the client area product page, a custom function page and an allowed AJAX function', async () => {
    const details = `clientarea.php?action=productdetails&id=${ids.serviceid}`;
    await page.goto(`${server.url}/login.php?autologin=1&goto=${encodeURIComponent(details)}`);
    assert.match(page.url(), new RegExp(`clientarea\\.php\\?action=productdetails&id=${ids.serviceid}$`));
    assert.equal(await page.textContent('#fake-overview'), `Fake overview for service ${ids.serviceid}, tenant "tenant-42", module fakemodule`);
    assert.equal(await page.getAttribute('#product-status', 'data-status'), 'active');
    await shot(page, SUITE, '06-client-product-details');

    await Promise.all([page.waitForURL(/a=Management/), page.click('a.module-custom-button[data-function="Management"]')]);
    assert.equal(await page.textContent('#pagetitle'), 'Fake Management');
    assert.equal(await page.textContent('#prerendered'), 'pre-rendered HTML'); // no default escaping (docs/whmcs-emulation.md, Choices #11)
    assert.equal(await page.textContent('#note'), '<i>escaped</i>');
    assert.equal(await page.textContent('#management-service'), `Service #${ids.serviceid} of client 1`);
    assert.equal(await page.$eval('#fake-management', (el) => getComputedStyle(el).borderTopColor), 'rgb(200, 0, 0)');
    assert.ok(await page.$eval('#fake-logo', (img) => img.complete && img.naturalWidth === 32));
    await page.click('#fake-ajax');
    await page.waitForFunction(() => document.getElementById('fake-ajax-out').textContent !== '');
    assert.deepEqual(JSON.parse(await page.textContent('#fake-ajax-out')),
      { serviceid: ids.serviceid, userid: 1, method: 'POST', body: { hello: 'world' } });
    await shot(page, SUITE, '07-client-custom-page');

    await page.goto(`${server.url}/${details}&modop=custom&a=SayFail`);
    assert.equal(await page.textContent('#modulecustombuttonresult'), 'Something went wrong');
    await page.goto(`${server.url}/${details}&modop=custom&a=Secret`); // not listed: never called
    assert.equal(await page.$('#modulecustombuttonresult'), null);
    assert.equal(host.sql("SELECT COUNT(*) AS n FROM tblactivitylog WHERE description = 'fakemodule Secret called'")[0].n, 0);
  });

  it('tests the server connection from configservers.php', async () => {
    await page.goto(`${server.url}/admin/configservers.php?action=manage&id=${ids.serverid}`);
    assert.equal(await page.inputValue('#inputHostname'), 'ok.example.test');
    await page.click('#testConnection');
    await page.waitForSelector('#testConnectionResult.test-ok');
    assert.equal(await page.textContent('#testConnectionResult'), 'Connection successful');
    await shot(page, SUITE, '08-test-connection-ok');
    await page.fill('#inputHostname', 'fail.example.test');
    await page.click('#testConnection');
    await page.waitForSelector('#testConnectionResult.test-failed');
    assert.equal(await page.textContent('#testConnectionResult'), 'Connection failed: Connection refused');
    await shot(page, SUITE, '09-test-connection-failed');
  });
});
