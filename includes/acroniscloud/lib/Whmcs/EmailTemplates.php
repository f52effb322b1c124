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
     * Creates the quota notice template in the default language and in every language the
     * extension words it in (WHMCS sends the client's language, else the default), each row
     * only when that name and language has none: an admin's edits are never overwritten.
     * True when a row was created.
     */
    public static function ensureQuotaNotice(): bool
    {
        $created = false;
        $now = date('Y-m-d H:i:s');
        foreach (\AcronisCloud\QuotaNotices::emailTemplates() as $t) {
            $language = (string) $t['language'];
            if (Capsule::table('tblemailtemplates')->where('name', self::QUOTA_NOTICE)->where('language', $language)->exists()) {
                continue;
            }
            Capsule::table('tblemailtemplates')->insert([
                'type' => 'product', 'name' => self::QUOTA_NOTICE,
                'subject' => (string) $t['subject'], 'message' => (string) $t['message'],
                'attachments' => '', 'fromname' => '', 'fromemail' => '', 'disabled' => 0, 'custom' => 1,
                'language' => $language, 'copyto' => '', 'blind_copy_to' => '', 'plaintext' => 0,
                'created_at' => $now, 'updated_at' => $now,
            ]);
            $created = true;
        }
        return $created;
    }

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
