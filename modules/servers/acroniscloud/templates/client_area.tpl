{* Acronis Cyber Cloud client area (module-behaviour.md §E.1): a mount point for assets/client.js,
   which loads the account, subscription and usage blocks from the module's JSON API. *}
<link rel="stylesheet" href="{$acroniscloud.assets}client.css?v={$acroniscloud.version}">
<div id="acroniscloud-client" class="acroniscloud-client" data-service-id="{$acroniscloud.service_id|escape:'html'}">
  <noscript><div class="acroniscloud-alert">{$acroniscloud.noscript|escape:'html'}</div></noscript>
</div>
<script>window.acronis = Object.assign(window.acronis || {ldelim}{rdelim}, {$acroniscloud.boot});</script>
<script src="{$acroniscloud.assets}client.js?v={$acroniscloud.version}" defer></script>
