<?php
/**
 * The WHMCS activity log ("System Logs > Activity Log"): what admins should see happened or
 * went wrong without an error on screen (hooks, cron, background provisioning). Every entry
 * names the module so it can be filtered.
 */

namespace AcronisCloud\Whmcs;

final class ActivityLog
{
    private const PREFIX = 'Acronis Cyber Cloud: ';

    public static function write(string $message): void
    {
        logActivity(self::PREFIX . $message);
    }

    /** One entry per message, each after `$context` (such as "service 12: "). */
    public static function each(string $context, array $messages): void
    {
        foreach ($messages as $message) {
            self::write($context . (string) $message);
        }
    }
}
