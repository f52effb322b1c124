<?php
/**
 * WHMCS e-mail templates (`tblemailtemplates`) and `SendEmail`: the module's e-mails go through
 * WHMCS's own mailer, so the admin edits their text under Setup > Email Templates and sees
 * them in the client's e-mail history.
 */

namespace AcronisCloud\Whmcs;

use WHMCS\Database\Capsule;

final class EmailTemplates
{
    /** The product template of the quota notices (docs/quota-notices.md). */
    public const QUOTA_NOTICE = 'Acronis Cloud Quota Notice';

    /**
     * Creates the quota notice template (default language) unless a template of that name
     * exists: an admin's edits are never overwritten. True when it was created.
     */
    public static function ensureQuotaNotice(): bool
    {
        if (Capsule::table('tblemailtemplates')->where('name', self::QUOTA_NOTICE)->exists()) {
            return false;
        }
        $now = date('Y-m-d H:i:s');
        Capsule::table('tblemailtemplates')->insert([
            'type' => 'product', 'name' => self::QUOTA_NOTICE,
            'subject' => 'Your Acronis Cyber Cloud service has used {$acronis_threshold}% of its {$acronis_metric_name} quota',
            'message' => self::QUOTA_NOTICE_MESSAGE,
            'attachments' => '', 'fromname' => '', 'fromemail' => '', 'disabled' => 0, 'custom' => 1,
            'language' => '', 'copyto' => '', 'blind_copy_to' => '', 'plaintext' => 0,
            'created_at' => $now, 'updated_at' => $now,
        ]);
        return true;
    }

    private const QUOTA_NOTICE_MESSAGE = <<<'HTML'
<p>Dear {$client_name},</p>
<p>Your Acronis Cyber Cloud service #{$service_id} has reached {$acronis_threshold}% of its {$acronis_metric_name} quota:
{$acronis_usage} of {$acronis_quota} {$acronis_unit} used (on {$acronis_date}).</p>
<p>When the quota is used up, new backups or devices may be refused. You can upgrade your service here:
<a href="{$acronis_upgrade_url}">{$acronis_upgrade_url}</a></p>
<p>{$signature}</p>
HTML;

    /**
     * Sends product template `$name` for service `$serviceId` with extra merge fields.
     * Returns WHMCS's answer (`result` = `success`, or `error` with `message`).
     */
    public static function sendForService(string $name, int $serviceId, array $vars): array
    {
        return LocalApi::call('SendEmail', [
            'messagename' => $name,
            'id' => $serviceId,
            'customvars' => base64_encode(serialize($vars)),
        ]);
    }
}
