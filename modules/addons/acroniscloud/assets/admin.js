/*
 * Acronis Cyber Cloud — admin area (Addons → Acronis Cyber Cloud): template list, the 3-step
 * template wizard and the "Add configurable options" dialog.
 *
 * Dependency-free on purpose: WHMCS admin pages must work offline and without a build step.
 * Data comes only from the addon's JSON actions (docs/behaviour.md §D); the page provides
 * `window.acronis = {modulelink, locale, version, strings?}` and the WHMCS global `csrfToken`.
 */
(function () {
  'use strict';

  const boot = window.acronis || {};
  const GB = 1024 * 1024 * 1024;
  const HOUR = 3600;
  /** Advanced packs (model.rs ADVANCED_PACKS): wire name → application that must be active. */
  const PACKS = [
    ['advanced_backup', 'backup', 'Advanced Backup'],
    ['advanced_management', 'backup', 'Advanced Management'],
    ['advanced_security', 'backup', 'Advanced Security'],
    ['advanced_email_security', 'backup', 'Advanced Email Security'],
    ['advanced_disaster_recovery', 'backup', 'Advanced Disaster Recovery'],
    ['advanced_files_cloud', 'files_cloud', 'Advanced File Sync & Share'],
  ];
  const STEPS = ['General info', 'Select services', 'Configure services'];

  // ---------------------------------------------------------------- i18n

  /** Every visible string goes through here: English msgid, `{0}` placeholders, optional catalog. */
  function t(msgid, ...args) {
    const strings = (window.acronis && window.acronis.strings) || {};
    const text = Object.prototype.hasOwnProperty.call(strings, msgid) ? strings[msgid] : msgid;
    return text.replace(/\{(\d+)\}/g, (m, i) => (args[i] !== undefined ? String(args[i]) : m));
  }

  // ---------------------------------------------------------------- API

  class ApiError extends Error {
    constructor(status, body) {
      const e = (body && body.error) || {};
      super(e.message || t('Request failed (HTTP {0}).', status));
      this.status = status;
      this.details = e.details || {};
    }
  }

  /** Calls `addonmodules.php?module=acroniscloud&action=…`; POST when a body is given (with the CSRF header). */
  async function api(action, query = {}, body) {
    const params = new URLSearchParams({ action, ...query });
    const base = boot.modulelink || 'addonmodules.php?module=acroniscloud';
    const init = { credentials: 'same-origin', headers: { Accept: 'application/json' } };
    if (body !== undefined) {
      init.method = 'POST';
      init.headers['Content-Type'] = 'application/json';
      init.headers['X-CSRF-Token'] = typeof window.csrfToken === 'string' ? window.csrfToken : '';
      init.body = JSON.stringify(body);
    }
    const response = await fetch(`${base}&${params}`, init);
    let json = null;
    try { json = await response.json(); } catch (_) { /* HTML error page: keep null */ }
    if (!response.ok || (json && json.error)) throw new ApiError(response.status, json);
    return json;
  }

  // ---------------------------------------------------------------- DOM helpers

  /** h('button', {class: 'x', onclick}, 'text', child…): small element factory. */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === false || v === null || v === undefined) continue;
      if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else if (k === 'value') el.value = v;
      else if (k === 'checked') el.checked = true;
      else el.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  let uid = 0;
  const nextId = (p) => `acl-${p}-${++uid}`;

  // ---------------------------------------------------------------- state

  const root = document.getElementById('acroniscloud-admin');
  const state = { servers: [], templates: [], l10n: null, catalogs: {}, wizard: null };
  let live;

  /** Screen-reader and visual status line (errors and successes). */
  function announce(message, kind = 'success') {
    live.textContent = message;
    live.className = `acl-live acl-live-${kind}`;
  }

  const appTitle = (type) => (state.l10n && state.l10n.applications[type] ? state.l10n.applications[type].title : type);
  const editionTitle = (name) => (state.l10n && state.l10n.editions[name] ? state.l10n.editions[name].title : name);
  const itemTitle = (name) => (state.l10n && state.l10n.offering_items[name]) || name;
  const serverName = (id) => (state.servers.find((s) => s.id === id) || { name: t('Unknown server #{0}', id) }).name;

  /** Applications, offering items and locations of a server, fetched once per page. */
  async function catalog(serverId) {
    if (!state.catalogs[serverId]) {
      const q = { server_id: serverId };
      const [applications, items, locations] = await Promise.all([
        api('get_applications', q), api('get_offering_items', q), api('get_locations', q),
      ]);
      state.catalogs[serverId] = { applications, items, locations };
    }
    return state.catalogs[serverId];
  }

  // ---------------------------------------------------------------- dialogs

  /**
   * Modal dialog: focus moves into it, Escape cancels, Enter in a field submits, focus returns to
   * the opener. `build(close)` returns the body; resolves with what `close` was given.
   */
  function dialog(title, build) {
    return new Promise((resolve) => {
      const opener = document.activeElement;
      const titleId = nextId('dlg');
      const backdrop = h('div', { class: 'acl-backdrop' });
      const box = h('div', { class: 'acl-dialog', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': titleId, tabindex: '-1' });
      const close = (value) => {
        backdrop.remove();
        if (opener && opener.isConnected) opener.focus();
        resolve(value);
      };
      box.append(h('h3', { id: titleId }, title), build(close));
      box.addEventListener('keydown', (e) => {
        if (e.key === 'Escape') { e.preventDefault(); close(null); }
        if (e.key === 'Tab') trapFocus(box, e);
      });
      backdrop.append(box);
      document.body.append(backdrop);
      const first = box.querySelector('input, select, textarea, button.acl-primary, button');
      (first || box).focus();
    });
  }

  /** Keeps Tab inside the open dialog. */
  function trapFocus(box, e) {
    const f = [...box.querySelectorAll('button, input, select, textarea')].filter((el) => !el.disabled);
    if (!f.length) return;
    const [first, last] = [f[0], f[f.length - 1]];
    if (e.shiftKey && document.activeElement === first) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus(); }
  }

  function confirmDialog(title, message, okLabel) {
    return dialog(title, (close) => h('div', {},
      h('p', {}, message),
      h('div', { class: 'acl-actions' },
        h('button', { type: 'button', class: 'acl-btn acl-danger acl-primary', 'data-role': 'confirm', onclick: () => close(true) }, okLabel),
        h('button', { type: 'button', class: 'acl-btn', onclick: () => close(false) }, t('Cancel')))));
  }

  // ---------------------------------------------------------------- template list

  async function showList() {
    state.wizard = null;
    root.replaceChildren(h('p', { class: 'acl-loading' }, t('Loading…')), live);
    try {
      [state.templates, state.servers] = await Promise.all([api('list_templates'), api('list_servers')]);
    } catch (e) {
      root.replaceChildren(h('div', { class: 'acl-error', role: 'alert' }, e.message), live);
      return;
    }
    const rows = state.templates.map((tpl) => h('tr', { 'data-template-id': tpl.id },
      h('td', {}, tpl.name),
      h('td', {}, tpl.tenant_kind === 'partner' ? t('Partner') : t('Customer')),
      h('td', {}, serverName(tpl.server_id)),
      h('td', { class: 'acl-row-actions' },
        h('button', { type: 'button', class: 'acl-btn', 'data-action': 'edit', 'aria-label': t('Edit {0}', tpl.name), onclick: () => openWizard(tpl.id) }, t('Edit')),
        h('button', { type: 'button', class: 'acl-btn', 'data-action': 'copy', 'aria-label': t('Copy {0}', tpl.name), onclick: () => copyTemplate(tpl) }, t('Copy')),
        h('button', { type: 'button', class: 'acl-btn acl-danger', 'data-action': 'delete', 'aria-label': t('Delete {0}', tpl.name), onclick: () => deleteTemplate(tpl) }, t('Delete')))));
    const table = rows.length
      ? h('table', { class: 'acl-table', id: 'acl-templates' },
        h('caption', {}, t('Templates')),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('Name')), h('th', { scope: 'col' }, t('Account type')),
          h('th', { scope: 'col' }, t('Server')), h('th', { scope: 'col' }, t('Actions')))),
        h('tbody', {}, rows))
      : h('p', { id: 'acl-templates-empty' }, t('No templates yet. Create one to offer Acronis services in products.'));
    root.replaceChildren(
      h('div', { class: 'acl-toolbar' },
        h('h2', {}, t('Service templates')),
        h('button', { type: 'button', class: 'acl-btn acl-primary', id: 'acl-create', onclick: () => openWizard(null) }, t('Create new template')),
        h('button', { type: 'button', class: 'acl-btn', id: 'acl-add-options', onclick: optionsDialog }, t('Add configurable options')),
        h('button', { type: 'button', class: 'acl-btn', id: 'acl-legacy', onclick: () => showLegacy() }, t('Legacy editions'))),
      table, live);
  }

  // ---------------------------------------------------------------- legacy editions (manual 6.6.3)

  const quotaText = (v) => (v === null || v === undefined ? t('unlimited') : String(v));

  /** Dry run of every service still on a legacy edition; the admin picks services to switch. */
  async function showLegacy(results = []) {
    state.wizard = null;
    root.replaceChildren(h('p', { class: 'acl-loading' }, t('Loading…')), live);
    let services;
    try {
      services = (await api('legacy_plan')).services;
    } catch (e) {
      root.replaceChildren(h('div', { class: 'acl-error', role: 'alert' }, errorText(e)), live);
      return;
    }
    const chosen = new Set();
    const heading = h('h2', { tabindex: '-1' }, t('Services on legacy editions'));
    const resultList = results.length ? h('ul', { id: 'acl-legacy-results' }, results.map((r) => h('li',
      { class: r.ok ? 'acl-ok' : 'acl-error', 'data-service-id': r.service_id },
      r.ok ? t('Service {0}: switched.', r.service_id) : t('Service {0}: {1}', r.service_id, r.message)))) : null;
    const rows = services.map((s) => h('tr', { 'data-service-id': s.service_id },
      h('td', {}, s.target_product_id ? h('input', { type: 'checkbox', id: `acl-legacy-${s.service_id}`,
        'aria-label': t('Select service {0}', s.service_id), onchange: (e) => { if (e.target.checked) chosen.add(s.service_id); else chosen.delete(s.service_id); } }) : null),
      h('td', {}, `#${s.service_id} ${s.client}`),
      h('td', {}, s.product_name, h('br'), s.legacy_editions.map(editionTitle).join(', ')),
      h('td', {}, s.target_product_name || s.blocked),
      h('td', {}, h('ul', { class: 'acl-changes' },
        s.packs_to_enable.length ? h('li', {}, t('Packs: {0}', s.packs_to_enable.map(packTitle).join(', '))) : null,
        s.items_to_enable.length ? h('li', {}, t('Enable: {0}', s.items_to_enable.map(itemTitle).join(', '))) : null,
        s.items_to_disable.length ? h('li', {}, t('Disable: {0}', s.items_to_disable.map(itemTitle).join(', '))) : null,
        s.pack_quotas.map((q) => h('li', {}, t('{0}: suggested {1}, new product {2}', itemTitle(q.item), quotaText(q.suggested), quotaText(q.target)))),
        s.warnings.map((w) => h('li', { class: 'acl-warning' }, w))))));
    const table = rows.length
      ? h('table', { class: 'acl-table', id: 'acl-legacy-services' },
        h('caption', {}, t('Dry run: nothing has been changed yet.')),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('Select')), h('th', { scope: 'col' }, t('Service')),
          h('th', { scope: 'col' }, t('Product')), h('th', { scope: 'col' }, t('New product')), h('th', { scope: 'col' }, t('Changes')))),
        h('tbody', {}, rows))
      : h('p', { id: 'acl-legacy-empty' }, t('No services use a legacy edition.'));
    const run = h('button', { type: 'button', class: 'acl-btn acl-primary', id: 'acl-legacy-run', disabled: !rows.length, onclick: async () => {
      if (!chosen.size) { announce(t('Select the services to switch.'), 'error'); return; }
      run.disabled = true;
      try {
        const r = await api('legacy_switch', {}, { service_ids: [...chosen] });
        await showLegacy(r.results || []);
      } catch (e) {
        run.disabled = false;
        announce(errorText(e), 'error');
      }
    } }, t('Switch selected services'));
    root.replaceChildren(
      h('div', { class: 'acl-toolbar' }, heading,
        h('button', { type: 'button', class: 'acl-btn', id: 'acl-legacy-back', onclick: showList }, t('Back to templates'))),
      resultList, table, h('div', { class: 'acl-toolbar' }, run), live);
    heading.focus();
  }

  const packTitle = (p) => t((PACKS.find(([n]) => n === p) || [p, '', p])[2]);

  async function copyTemplate(tpl) {
    const name = await dialog(t('Copy template'), (close) => {
      const id = nextId('copy');
      const input = h('input', { id, type: 'text', value: t('Copy of {0}', tpl.name), maxlength: '255', required: true });
      const submit = () => close(input.value.trim() || null);
      input.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); submit(); } });
      return h('div', {}, h('label', { for: id }, t('Name of the copy')), input,
        h('div', { class: 'acl-actions' },
          h('button', { type: 'button', class: 'acl-btn acl-primary', 'data-role': 'confirm', onclick: submit }, t('Copy')),
          h('button', { type: 'button', class: 'acl-btn', onclick: () => close(null) }, t('Cancel'))));
    });
    if (!name) return;
    try {
      await api('copy_template', { template_id: tpl.id }, { name });
      await showList();
      announce(t('Template "{0}" was copied to "{1}".', tpl.name, name));
    } catch (e) {
      announce(errorText(e), 'error');
    }
  }

  async function deleteTemplate(tpl) {
    const ok = await confirmDialog(t('Delete template'), t('Delete the template "{0}"? This cannot be undone.', tpl.name), t('Delete'));
    if (!ok) return;
    try {
      await api('delete_template', { template_id: tpl.id }, {});
      await showList();
      announce(t('Template "{0}" was deleted.', tpl.name));
    } catch (e) {
      announce(errorText(e), 'error');
    }
  }

  /** Readable error line; a template still used by products lists them (manual wording). */
  function errorText(e) {
    const products = e.details && e.details.products;
    if (Array.isArray(products) && products.length) {
      return t('Cannot delete template because it is still used by the following products: {0}', products.join(', '));
    }
    return e.message;
  }

  // ---------------------------------------------------------------- wizard model

  /** A fresh or loaded template turned into the wizard's editable state. */
  function wizardState(tpl) {
    const w = {
      id: tpl ? tpl.id : null,
      step: 0,
      errors: {},
      general: {
        name: tpl ? tpl.name : '', description: tpl ? tpl.description : '',
        server_id: tpl ? tpl.server_id : (state.servers.find((s) => s.status === 'active') || state.servers[0] || {}).id || 0,
        tenant_kind: tpl ? tpl.tenant_kind : 'customer', user_role: tpl ? tpl.user_role : 'admin',
        mode: (tpl && tpl.mode) || 'production', management_mode: (tpl && tpl.management_mode) || 'self_service',
        two_factor_auth: !!(tpl && tpl.two_factor_auth), enhanced_security: !!(tpl && tpl.enhanced_security),
      },
      packs: new Set((tpl && tpl.advanced_packs) || []),
      apps: {}, // type → {active, editions: Set}
      items: {}, // key → {active, quota: string in display unit}
      infra: {}, // capability → infra id (customer templates)
      loadedItems: tpl ? tpl.applications.flatMap((a) => a.offering_items) : [],
    };
    for (const app of (tpl && tpl.applications) || []) {
      w.apps[app.type] = {
        active: app.status === 'active',
        editions: new Set(app.editions.filter((e) => e.status === 'active').map((e) => e.name)),
      };
      for (const item of app.offering_items) {
        const key = w.general.tenant_kind === 'customer' ? item.name : `${item.name}@${item.infra_id || ''}`;
        w.items[key] = { active: item.status === 'active', quota: toDisplay(item.quota_value, item.measurement_unit) };
      }
    }
    return w;
  }

  /** Quotas are edited in friendly units: GB for bytes, hours for seconds; '' = unlimited. */
  function toDisplay(value, unit) {
    if (value === null || value === undefined || value === '') return '';
    if (unit === 'bytes') return String(Math.round((value / GB) * 1000) / 1000);
    if (unit === 'seconds') return String(Math.round((value / HOUR) * 1000) / 1000);
    return String(value);
  }

  function fromDisplay(text, unit) {
    const s = String(text).trim();
    if (s === '' || unit === 'feature') return null;
    const n = Number(s);
    if (unit === 'bytes') return Math.round(n * GB);
    if (unit === 'seconds') return Math.round(n * HOUR);
    return n; // a non-integer stays a float so the server's quota rule reports it
  }

  const isCustomer = (w) => w.general.tenant_kind === 'customer';
  const itemKey = (w, item) => (isCustomer(w) ? item.name : `${item.name}@${item.infra_id || ''}`);

  /** Applications of the server offered for the template's account type. */
  function offeredApps(w, cat) {
    return cat.applications.filter((a) => a.tenant_kinds.includes(w.general.tenant_kind));
  }

  /** Offering items shown for an application: account type, active edition(s), one row per name for customers. */
  function visibleItems(w, cat, app) {
    const st = w.apps[app.type] || { editions: new Set() };
    const seen = new Set();
    return cat.items.filter((item) => {
      if (item.application_type !== app.type || !item.tenant_kinds.includes(w.general.tenant_kind)) return false;
      if (item.edition && !st.editions.has(item.edition)) return false;
      // Pack items (catalog `pack`) only set quotas of a ticked pack; unticked, they are hidden.
      if (item.pack && !w.packs.has(item.pack)) return false;
      const key = itemKey(w, item);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  /** Capabilities that need an infrastructure component among the items shown (customer templates). */
  function capabilities(w, cat) {
    const caps = new Set();
    for (const app of offeredApps(w, cat)) {
      if (!(w.apps[app.type] || {}).active) continue;
      for (const item of visibleItems(w, cat, app)) if (item.infra_id && item.capability) caps.add(item.capability);
    }
    return [...caps];
  }

  /** Infra per capability: already chosen, else the one of an active stored item, else the first offering it. */
  function defaultInfra(w, cat, capability) {
    const infras = cat.locations.flatMap((l) => l.infras.filter((i) => i.capabilities.includes(capability)));
    if (w.infra[capability] && infras.some((i) => i.infra_id === w.infra[capability])) return w.infra[capability];
    const used = w.loadedItems.find((it) => it.status === 'active' && it.infra_id && infras.some((i) => i.infra_id === it.infra_id));
    return used ? used.infra_id : (infras[0] || {}).infra_id;
  }

  /** The template JSON of §D.3 built from the wizard state. */
  function buildTemplate(w, cat) {
    const g = w.general;
    const applications = offeredApps(w, cat).map((app) => {
      const st = w.apps[app.type] || { active: false, editions: new Set() };
      const items = [];
      for (const item of visibleItems(w, cat, app)) {
        const sel = w.items[itemKey(w, item)];
        if (!st.active || !sel || !sel.active) continue;
        let infra = item.infra_id;
        if (isCustomer(w) && item.infra_id && item.capability) {
          const wanted = w.infra[item.capability];
          // Use the chosen infra when the root tenant offers this item there.
          if (cat.items.some((i) => i.name === item.name && i.infra_id === wanted)) infra = wanted;
        }
        items.push({ name: item.name, measurement_unit: item.measurement_unit, infra_id: infra || null,
          quota_value: fromDisplay(sel.quota, item.measurement_unit), status: 'active' });
      }
      return { type: app.type, status: st.active ? 'active' : 'inactive',
        editions: app.editions.map((name) => ({ name, status: st.active && st.editions.has(name) ? 'active' : 'inactive' })),
        offering_items: items };
    });
    const activeApps = new Set(applications.filter((a) => a.status === 'active').map((a) => a.type));
    return {
      name: g.name, description: g.description, server_id: Number(g.server_id), tenant_kind: g.tenant_kind,
      user_role: g.tenant_kind === 'partner' ? 'admin' : g.user_role,
      mode: g.tenant_kind === 'partner' ? 'production' : g.mode, management_mode: g.management_mode,
      two_factor_auth: g.two_factor_auth, enhanced_security: g.tenant_kind === 'partner' ? false : g.enhanced_security,
      advanced_packs: PACKS.filter(([p, app]) => w.packs.has(p) && activeApps.has(app)).map(([p]) => p),
      applications,
    };
  }

  // ---------------------------------------------------------------- wizard views

  async function openWizard(templateId) {
    root.replaceChildren(h('p', { class: 'acl-loading' }, t('Loading…')), live);
    try {
      if (!state.servers.length) state.servers = await api('list_servers');
      const tpl = templateId ? await api('get_template', { template_id: templateId }) : null;
      if (templateId && !tpl) throw new Error(t('The template was not found.'));
      state.wizard = wizardState(tpl);
      renderWizard();
    } catch (e) {
      root.replaceChildren(h('div', { class: 'acl-error', role: 'alert' }, e.message),
        h('button', { type: 'button', class: 'acl-btn', onclick: showList }, t('Back to templates')), live);
    }
  }

  async function renderWizard(focusHeading = true) {
    const w = state.wizard;
    const form = h('form', { class: 'acl-wizard', id: 'acl-wizard', novalidate: true, onsubmit: (e) => { e.preventDefault(); nextStep(); } });
    const steps = h('ol', { class: 'acl-steps' }, STEPS.map((s, i) => h('li', {
      class: i === w.step ? 'acl-step-current' : (i < w.step ? 'acl-step-done' : ''), 'aria-current': i === w.step ? 'step' : false,
    }, t(s))));
    const heading = h('h2', { tabindex: '-1', id: 'acl-step-heading' },
      w.id ? t('Edit template') : t('New template'), ' — ', t('Step {0} of {1}: {2}', w.step + 1, STEPS.length, t(STEPS[w.step])));
    let body;
    try {
      body = w.step === 0 ? generalStep(w) : (w.step === 1 ? servicesStep(w, await catalog(w.general.server_id))
        : configureStep(w, await catalog(w.general.server_id)));
    } catch (e) {
      body = h('div', { class: 'acl-error', role: 'alert' }, t('Cannot load the services of the server: {0}', e.message));
    }
    form.append(...[summary(w), body, navigation(w)].filter(Boolean));
    root.replaceChildren(heading, steps, form, live);
    const firstError = form.querySelector('[aria-invalid="true"]');
    if (firstError) firstError.focus();
    else if (focusHeading) heading.focus();
  }

  /** Error summary at the top of the form (all 422 messages, field by field). */
  function summary(w) {
    const entries = Object.entries(w.errors);
    if (!entries.length) return null;
    return h('div', { class: 'acl-error acl-summary', id: 'acl-error-summary', role: 'alert' },
      h('p', {}, t('Please correct the following errors:')),
      h('ul', {}, entries.flatMap(([field, msgs]) => msgs.map((m) => h('li', { 'data-field': field }, m)))));
  }

  /** Messages of one field, linked to its control with aria-describedby. */
  function fieldErrors(w, field) {
    const msgs = w.errors[field];
    if (!msgs || !msgs.length) return null;
    return h('div', { class: 'acl-field-error', id: `acl-err-${field}` }, msgs.map((m) => h('div', {}, m)));
  }

  function errAttrs(w, field) {
    return w.errors[field] ? { 'aria-invalid': 'true', 'aria-describedby': `acl-err-${field}` } : {};
  }

  function textField(w, field, label, { multiline = false, max } = {}) {
    const id = `acl-${field}`;
    const attrs = { id, name: field, value: w.general[field], maxlength: max, ...errAttrs(w, field),
      oninput: (e) => { w.general[field] = e.target.value; } };
    return h('div', { class: 'acl-field' }, h('label', { for: id }, label),
      multiline ? h('textarea', { ...attrs, rows: '3' }) : h('input', { ...attrs, type: 'text' }), fieldErrors(w, field));
  }

  /** Radio group in a fieldset/legend; `disabled` when the value is immutable. */
  function radioGroup(w, field, legend, options, disabled, onchange) {
    return h('fieldset', { class: 'acl-radios', id: `acl-${field}`, ...errAttrs(w, field) }, h('legend', {}, legend),
      options.map(([value, label]) => {
        const id = `acl-${field}-${value}`;
        return h('span', { class: 'acl-radio' },
          h('input', { type: 'radio', id, name: field, value, checked: w.general[field] === value, disabled,
            onchange: () => { w.general[field] = value; if (onchange) onchange(); } }),
          h('label', { for: id }, label));
      }), fieldErrors(w, field));
  }

  function checkbox(id, label, checked, disabled, onchange, extra = {}) {
    return h('span', { class: 'acl-check' },
      h('input', { type: 'checkbox', id, checked, disabled, onchange: (e) => onchange(e.target.checked), ...extra }),
      h('label', { for: id }, label));
  }

  function generalStep(w) {
    const g = w.general;
    const editing = w.id !== null;
    const partner = g.tenant_kind === 'partner';
    const current = state.servers.find((s) => s.id === g.server_id);
    // The server may change only for new templates or when the stored one is gone/disabled (§D.3).
    const serverLocked = editing && current && current.status === 'active';
    const rerender = () => renderWizard(false).then(() => document.getElementById(`acl-tenant_kind-${g.tenant_kind}`).focus());
    return h('div', {},
      textField(w, 'name', t('Template name'), { max: 255 }),
      textField(w, 'description', t('Description'), { multiline: true, max: 1024 }),
      h('div', { class: 'acl-field' }, h('label', { for: 'acl-server_id' }, t('Server')),
        h('select', { id: 'acl-server_id', name: 'server_id', disabled: serverLocked, ...errAttrs(w, 'server_id'),
          onchange: (e) => { g.server_id = Number(e.target.value); } },
        h('option', { value: '' }, t('Select a server')),
        state.servers.map((s) => h('option', { value: String(s.id), selected: s.id === g.server_id,
          disabled: s.status !== 'active' },
        s.status === 'active' ? s.name : t('{0} (disabled)', s.name)))), fieldErrors(w, 'server_id')),
      radioGroup(w, 'tenant_kind', t('Account type'), [['customer', t('Customer')], ['partner', t('Partner')]], editing, () => {
        // Items are keyed differently for partners (one row per infra): start the selection over.
        w.items = {};
        if (g.tenant_kind === 'partner') { g.user_role = 'admin'; g.mode = 'production'; g.enhanced_security = false; }
        // Customers get a single edition per service: keep the first one chosen.
        else for (const st of Object.values(w.apps)) st.editions = new Set([...st.editions].slice(0, 1));
        rerender();
      }),
      partner ? null : radioGroup(w, 'mode', t('Mode'), [['trial', t('Trial')], ['production', t('Production')]], editing),
      h('div', { class: 'acl-field' },
        checkbox('acl-user_role', t('Administrator (the first user gets the Company Administrator role)'),
          g.user_role === 'admin', editing || partner, (on) => { g.user_role = on ? 'admin' : 'user'; }),
        partner ? h('p', { class: 'acl-hint' }, t('Partner templates always create an administrator.')) : null,
        fieldErrors(w, 'user_role')),
      radioGroup(w, 'management_mode', t('Management mode'),
        [['self_service', t('Self-service')], ['managed_by_service_provider', t('Managed by service provider')]], editing),
      h('fieldset', { class: 'acl-checks' }, h('legend', {}, t('Security')),
        checkbox('acl-two_factor_auth', t('Two-factor authentication'), g.two_factor_auth, editing, (on) => { g.two_factor_auth = on; }),
        partner ? null : checkbox('acl-enhanced_security', t('Enhanced security mode (encryption of all backups)'),
          g.enhanced_security, editing, (on) => { g.enhanced_security = on; }),
        fieldErrors(w, 'two_factor_auth'), fieldErrors(w, 'enhanced_security'), fieldErrors(w, 'mode')));
  }

  function servicesStep(w, cat) {
    const apps = offeredApps(w, cat);
    if (!apps.length) return h('p', {}, t('The server offers no services for this account type.'));
    return h('div', { id: 'acl-services' }, fieldErrors(w, 'applications'),
      apps.map((app) => serviceFieldset(w, app)),
      h('fieldset', { class: 'acl-checks', id: 'acl-packs' }, h('legend', {}, t('Advanced packs')),
        PACKS.filter(([, a]) => apps.some((x) => x.type === a)).map(([pack, a, label]) => checkbox(`acl-pack-${pack}`,
          t('{0} (requires {1})', t(label), appTitle(a)), w.packs.has(pack), !(w.apps[a] || {}).active,
          (on) => { if (on) w.packs.add(pack); else w.packs.delete(pack); })),
        fieldErrors(w, 'advanced_packs')));
  }

  function serviceFieldset(w, app) {
    const st = w.apps[app.type] || (w.apps[app.type] = { active: false, editions: new Set() });
    const single = isCustomer(w);
    const editions = app.editions.length ? h('fieldset', { class: single ? 'acl-radios' : 'acl-checks', disabled: !st.active },
      h('legend', {}, single ? t('Edition (one for customers)') : t('Editions')),
      app.editions.map((name) => {
        const id = `acl-edition-${app.type}-${name}`;
        const input = single
          ? h('input', { type: 'radio', id, name: `edition-${app.type}`, value: name, checked: st.editions.has(name),
            onchange: () => { st.editions = new Set([name]); } })
          : h('input', { type: 'checkbox', id, value: name, checked: st.editions.has(name),
            onchange: (e) => { if (e.target.checked) st.editions.add(name); else st.editions.delete(name); } });
        return h('span', { class: single ? 'acl-radio' : 'acl-check' }, input, h('label', { for: id }, editionTitle(name)));
      })) : null;
    return h('fieldset', { class: 'acl-service', 'data-app': app.type }, h('legend', {}, appTitle(app.type)),
      checkbox(`acl-app-${app.type}`, t('Enable {0}', appTitle(app.type)), st.active, false, (on) => {
        st.active = on;
        // A service switched on gets a default edition so it validates without extra clicks.
        if (on && app.editions.length && !st.editions.size) st.editions.add(app.editions[0]);
        renderWizard(false).then(() => document.getElementById(`acl-app-${app.type}`).focus());
      }), editions);
  }

  function configureStep(w, cat) {
    const apps = offeredApps(w, cat).filter((a) => (w.apps[a.type] || {}).active);
    if (!apps.length) return h('div', {}, fieldErrors(w, 'applications'), h('p', {}, t('No service is selected. Go back and select at least one service.')));
    return h('div', { id: 'acl-configure' }, fieldErrors(w, 'applications'),
      isCustomer(w) ? infraFieldset(w, cat) : null,
      apps.map((app) => itemsFieldsets(w, cat, app)));
  }

  /** Customer templates: one infrastructure component per capability, grouped by location. */
  function infraFieldset(w, cat) {
    const caps = capabilities(w, cat);
    if (!caps.length) return null;
    return h('fieldset', { class: 'acl-infra', id: 'acl-infra' }, h('legend', {}, t('Locations and infrastructure')),
      caps.map((cap) => {
        w.infra[cap] = defaultInfra(w, cat, cap);
        const id = `acl-infra-${cap}`;
        return h('div', { class: 'acl-field' }, h('label', { for: id }, t('Storage for {0}', capabilityTitle(cap))),
          h('select', { id, onchange: (e) => { w.infra[cap] = e.target.value; } },
            cat.locations.filter((l) => l.infras.some((i) => i.capabilities.includes(cap))).map((l) => h('optgroup', { label: l.name },
              l.infras.filter((i) => i.capabilities.includes(cap)).map((i) => h('option', { value: i.infra_id, selected: i.infra_id === w.infra[cap] }, i.name))))));
      }));
  }

  function capabilityTitle(cap) {
    const names = { backup: t('Backup'), files_cloud: t('File Sync & Share'), disaster_recovery: t('Disaster Recovery') };
    return names[cap] || cap;
  }

  /** Offering items of one application, one fieldset per edition (items without edition first). */
  function itemsFieldsets(w, cat, app) {
    const items = visibleItems(w, cat, app);
    const groups = new Map();
    for (const item of items) {
      const g = item.edition || '';
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g).push(item);
    }
    const order = ['', ...app.editions];
    const infraName = (id) => (cat.locations.flatMap((l) => l.infras).find((i) => i.infra_id === id) || { name: id }).name;
    return h('section', { class: 'acl-app-items', 'data-app': app.type }, h('h3', {}, appTitle(app.type)),
      order.filter((g) => groups.has(g)).map((g) => h('fieldset', { class: 'acl-items', 'data-edition': g },
        h('legend', {}, g ? editionTitle(g) : t('General')),
        h('table', { class: 'acl-table' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('Offering item')), h('th', { scope: 'col' }, t('Quota')))),
          h('tbody', {}, groups.get(g).map((item) => itemRow(w, cat, item, isCustomer(w) ? '' : (item.infra_id ? infraName(item.infra_id) : ''))))))));
  }

  function itemRow(w, cat, item, suffix) {
    const key = itemKey(w, item);
    const sel = w.items[key] || (w.items[key] = { active: false, quota: '' });
    const base = `acl-item-${key.replace(/[^a-zA-Z0-9_-]/g, '_')}`;
    const label = suffix ? t('{0} ({1})', itemTitle(item.name), suffix) : itemTitle(item.name);
    const quotaLabel = { bytes: t('GB'), seconds: t('hours'), quantity: t('units') }[item.measurement_unit];
    const quota = item.measurement_unit === 'feature' ? h('span', { class: 'acl-hint' }, t('Feature'))
      : h('span', { class: 'acl-quota' },
        h('input', { type: 'number', min: '0', step: item.measurement_unit === 'quantity' ? '1' : 'any', id: `${base}-quota`,
          value: sel.quota, placeholder: t('Unlimited'), 'aria-label': t('Quota of {0} in {1} (empty = unlimited)', label, quotaLabel),
          'data-unit': item.measurement_unit, oninput: (e) => { sel.quota = e.target.value; } }),
        h('span', { 'aria-hidden': 'true' }, ` ${quotaLabel}`));
    return h('tr', { 'data-item': item.name },
      h('td', {}, checkbox(base, label, sel.active, false, (on) => toggleItem(w, cat, item, on), { 'data-item': item.name })),
      h('td', {}, quota));
  }

  /** Keeps catalog parents/children consistent: a child needs its parent, a parent off turns children off. */
  function toggleItem(w, cat, item, on) {
    w.items[itemKey(w, item)].active = on;
    const parent = cat.items.find((p) => p.application_type === item.application_type && p.child_offering_items.includes(item.name));
    let changed = false;
    if (on && parent) {
      const p = w.items[itemKey(w, parent)];
      if (p && !p.active) { p.active = true; changed = true; }
    }
    if (!on) {
      for (const child of item.child_offering_items) {
        const c = cat.items.find((i) => i.name === child);
        const s = c && w.items[itemKey(w, c)];
        if (s && s.active) { s.active = false; changed = true; }
      }
    }
    if (changed) {
      const focusId = document.activeElement && document.activeElement.id;
      renderWizard(false).then(() => { const el = focusId && document.getElementById(focusId); if (el) el.focus(); });
      announce(t('Related offering items were updated.'), 'info');
    }
  }

  function navigation(w) {
    const last = w.step === STEPS.length - 1;
    return h('div', { class: 'acl-actions acl-nav' },
      w.step > 0 ? h('button', { type: 'button', class: 'acl-btn', id: 'acl-back', onclick: () => { w.step -= 1; renderWizard(); } }, t('Back')) : null,
      h('button', { type: 'submit', class: 'acl-btn acl-primary', id: last ? 'acl-save' : 'acl-next' }, last ? t('Save') : t('Next step')),
      h('button', { type: 'button', class: 'acl-btn', id: 'acl-cancel', onclick: showList }, t('Cancel')));
  }

  /** Client-side checks of the manual (name ≥ 3, server chosen, a service on); the server re-validates. */
  function localErrors(w) {
    const g = w.general;
    const errors = {};
    const name = g.name.trim();
    if (w.step === 0 || w.step === STEPS.length - 1) {
      if (!name) errors.name = [t('The name field is required.')];
      else if (name.length < 3) errors.name = [t('The name must have at least 3 characters')];
      else if (name.length > 255) errors.name = [t('The name may not be greater than 255 characters.')];
      if (g.description.length > 1024) errors.description = [t('The description may not be greater than 1024 characters.')];
      if (!g.server_id) errors.server_id = [t('Select a server.')];
    }
    if (w.step >= 1 && !Object.values(w.apps).some((a) => a.active)) {
      errors.applications = [t('At least one application must be active.')];
    }
    return errors;
  }

  async function nextStep() {
    const w = state.wizard;
    w.errors = localErrors(w);
    if (Object.keys(w.errors).length) {
      announce(t('Please correct the errors in the form.'), 'error');
      return renderWizard(false);
    }
    if (w.step < STEPS.length - 1) {
      w.step += 1;
      live.textContent = '';
      return renderWizard();
    }
    return save(w);
  }

  async function save(w) {
    const button = document.getElementById('acl-save');
    if (button) button.disabled = true;
    try {
      const body = buildTemplate(w, await catalog(w.general.server_id));
      if (w.id) await api('update_template', { template_id: w.id }, body);
      else w.id = (await api('create_template', {}, body)).id;
      await showList();
      announce(t('Template "{0}" was saved.', body.name));
    } catch (e) {
      if (button) button.disabled = false;
      if (e.status === 422 && e.details.errors) {
        w.errors = e.details.errors;
        // Go to the earliest step that shows one of the failing fields.
        const general = ['name', 'description', 'server_id', 'tenant_kind', 'user_role', 'mode', 'management_mode', 'two_factor_auth', 'enhanced_security'];
        if (Object.keys(w.errors).some((f) => general.includes(f))) w.step = 0;
        else if (w.errors.advanced_packs) w.step = 1;
        announce(t('The template was not saved: {0}', e.message), 'error');
        return renderWizard(false);
      }
      announce(t('The template was not saved: {0}', e.message), 'error');
    }
  }

  // ---------------------------------------------------------------- configurable options

  /** "Add configurable options" (§D.4): name, description, server, edition → option group id. */
  async function optionsDialog() {
    if (!state.servers.length) state.servers = await api('list_servers');
    const form = { name: '', description: '', server_id: (state.servers.find((s) => s.status === 'active') || {}).id || 0, edition: '' };
    await dialog(t('Add configurable options'), (close) => {
      const ids = { name: nextId('opt'), description: nextId('opt'), server: nextId('opt'), edition: nextId('opt'), err: nextId('opt') };
      const errorBox = h('div', { class: 'acl-field-error', id: ids.err, role: 'alert' });
      const result = h('div', { class: 'acl-result', 'aria-live': 'polite' });
      const edition = h('select', { id: ids.edition, onchange: (e) => { form.edition = e.target.value; } });
      const loadEditions = async () => {
        edition.replaceChildren(h('option', { value: '' }, t('Loading…')));
        try {
          const apps = (await api('get_applications', { server_id: form.server_id })).filter((a) => a.tenant_kinds.includes('customer'));
          const names = [...new Set(apps.flatMap((a) => a.editions))];
          form.edition = names[0] || '';
          edition.replaceChildren(...(names.length ? names.map((n) => h('option', { value: n }, editionTitle(n))) : [h('option', { value: '' }, t('No editions'))]));
        } catch (e) {
          edition.replaceChildren(h('option', { value: '' }, t('No editions')));
          errorBox.textContent = e.message;
        }
      };
      const submit = async () => {
        errorBox.textContent = '';
        if (!form.name.trim()) { errorBox.textContent = t('The name field is required.'); return; }
        try {
          const r = await api('create_options', {}, { name: form.name.trim(), description: form.description, server_id: Number(form.server_id), edition: form.edition });
          result.replaceChildren(h('p', { id: 'acl-options-created' }, t('Configurable option group #{0} was created. Assign it to your products and configure the pricing.', r.id)));
          announce(t('Configurable option group #{0} was created.', r.id));
        } catch (e) {
          const errs = (e.details && e.details.errors) || {};
          errorBox.textContent = [e.message, ...Object.values(errs).flat()].join(' ');
        }
      };
      const onEnter = (e) => { if (e.key === 'Enter') { e.preventDefault(); submit(); } };
      loadEditions();
      return h('div', { class: 'acl-options' },
        h('div', { class: 'acl-field' }, h('label', { for: ids.name }, t('Group name')),
          h('input', { id: ids.name, type: 'text', maxlength: '1024', onkeydown: onEnter, oninput: (e) => { form.name = e.target.value; } })),
        h('div', { class: 'acl-field' }, h('label', { for: ids.description }, t('Description')),
          h('input', { id: ids.description, type: 'text', maxlength: '1024', onkeydown: onEnter, oninput: (e) => { form.description = e.target.value; } })),
        h('div', { class: 'acl-field' }, h('label', { for: ids.server }, t('Server')),
          h('select', { id: ids.server, onchange: (e) => { form.server_id = Number(e.target.value); loadEditions(); } },
            state.servers.map((s) => h('option', { value: String(s.id), selected: s.id === form.server_id, disabled: s.status !== 'active' }, s.name)))),
        h('div', { class: 'acl-field' }, h('label', { for: ids.edition }, t('Edition')), edition),
        errorBox, result,
        h('div', { class: 'acl-actions' },
          h('button', { type: 'button', class: 'acl-btn acl-primary', 'data-role': 'confirm', onclick: submit }, t('Create')),
          h('button', { type: 'button', class: 'acl-btn', onclick: () => close(null) }, t('Close'))));
    });
  }

  // ---------------------------------------------------------------- start

  async function start() {
    if (!root) return;
    live = h('div', { class: 'acl-live', id: 'acl-live', role: 'status', 'aria-live': 'polite' });
    root.classList.add('acl-app');
    try { state.l10n = await api('l10n'); } catch (_) { state.l10n = null; /* fall back to technical names */ }
    await showList();
  }

  window.acronis = Object.assign(window.acronis || {}, { t });
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
