{* Minimal product details page of the WHMCS emulation (variable names as in Twenty-One; the markup is ours: docs/whmcs-emulation.md "Choices" #11). *}
{if $ssoErrorMsg}<div class="alert alert-danger" id="sso-error">{$ssoErrorMsg|escape}</div>{/if}
{if $modulecustombuttonresult}
  {if $modulecustombuttonresult == "success"}
    <div class="alert alert-success" id="modulecustombuttonresult" data-result="success">Action Completed Successfully!</div>
  {else}
    <div class="alert alert-danger" id="modulecustombuttonresult" data-result="error">{$modulecustombuttonresult|escape}</div>
  {/if}
{/if}
<section id="tabOverview">
{if $tplOverviewTabOutput}
  {$tplOverviewTabOutput}
{else}
  <table class="datatable" id="product-details">
    <tr><th>Product</th><td id="product-name">{$groupname|escape} - {$product|escape}</td></tr>
    <tr><th>Status</th><td id="product-status" data-status="{$rawstatus|escape}">{$status|escape}</td></tr>
    <tr><th>Registration Date</th><td>{$regdate|escape}</td></tr>
    <tr><th>Recurring Amount</th><td>{$recurringamount|escape}</td></tr>
    <tr><th>Billing Cycle</th><td>{$billingcycle|escape}</td></tr>
    <tr><th>Next Due Date</th><td>{$nextduedate|escape}</td></tr>
    {if $domain}<tr><th>Domain</th><td>{$domain|escape}</td></tr>{/if}
    {if $username}<tr><th>Username</th><td>{$username|escape}</td></tr>{/if}
    {foreach $customfields as $field}<tr class="customfield"><th>{$field.name|escape}</th><td>{$field.value|escape}</td></tr>{/foreach}
  </table>
  {if $moduleclientarea}<div class="module-client-area" id="moduleclientarea">{$moduleclientarea}</div>{/if}
{/if}
</section>
{if $modulecustombuttons || $showSsoLink}
<section id="module-actions">
  <h2>Actions</h2>
  {foreach $modulecustombuttons as $button}
    <a class="btn module-custom-button" data-function="{$button.function|escape}" href="clientarea.php?action=productdetails&amp;id={$id}&amp;modop=custom&amp;a={$button.function|escape:'url'}">{$button.label|escape}</a>
  {/foreach}
  {if $showSsoLink}<a class="btn" id="btnServiceSso" href="clientarea.php?action=productdetails&amp;id={$id}&amp;dosinglesignon=1">Log in to Control Panel</a>{/if}
</section>
{/if}
