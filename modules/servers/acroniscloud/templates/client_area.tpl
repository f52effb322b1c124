{* Acronis Cyber Cloud client area (docs/behaviour.md §E.1): a mount point for assets/client.js,
   which loads the account, subscription and usage blocks from the module's JSON API, and the
   billed usage of today and its history (server-rendered; only when the product bills metrics).
   The history block is markup the extension built with every text escaped (client_area/chart.rs). *}
<link rel="stylesheet" href="{$acroniscloud.assets}client.css?v={$acroniscloud.version}">
<div id="acroniscloud-client" class="acroniscloud-client" data-service-id="{$acroniscloud.service_id|escape:'html'}">
  <noscript><div class="acroniscloud-alert">{$acroniscloud.noscript|escape:'html'}</div></noscript>
</div>
{if $acroniscloud.billing_usage}
<div class="acroniscloud-client acc-billing-usage">
  <section class="acc-block" id="acc-billing-usage">
    <h3 class="acc-block-title">{$acroniscloud.billing_usage.title|escape:'html'}</h3>
{if $acroniscloud.billing_usage.rows}
    <table class="acc-billing-table">
      <thead><tr><th scope="col">{$acroniscloud.billing_usage.metric|escape:'html'}</th><th scope="col">{$acroniscloud.billing_usage.usage|escape:'html'}</th></tr></thead>
      <tbody>
{foreach $acroniscloud.billing_usage.rows as $row}
        <tr data-metric="{$row.name|escape:'html'}"><td>{$row.display_name|escape:'html'}</td><td class="acc-billing-value">{$row.text|escape:'html'}</td></tr>
{/foreach}
      </tbody>
    </table>
{else}
    <p class="acc-muted">{$acroniscloud.billing_usage.message|escape:'html'}</p>
{/if}
  </section>
</div>
{/if}
{if $acroniscloud.usage_history}
<div class="acroniscloud-client acc-usage-history" id="acc-usage-history">
{$acroniscloud.usage_history nofilter}
</div>
{/if}
<script>window.acronis = Object.assign(window.acronis || {ldelim}{rdelim}, {$acroniscloud.boot});</script>
<script src="{$acroniscloud.assets}client.js?v={$acroniscloud.version}" defer></script>
