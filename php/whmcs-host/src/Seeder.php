<?php
declare(strict_types=1);

namespace WhmcsHost;

use WHMCS\Database\Capsule;

/**
 * The seed (docs/whmcs-emulation.md "What it provides", tables). Always: tblconfiguration, a currency (USD, id 1), a
 * client (id 1), a product group (id 1), an Acronis product (id 1,
 * servertype 'acroniscloud'), an admin role + admin user ('admin', id 1), a
 * payment gateway, the downloads storage settings.
 * Optional ('full'): a server (id 1), a service (id 1) with the Acronis custom
 * fields and a configurable option group.
 */
final class Seeder
{
    public const DEFAULT_VERSION = '8.10.1-release.1';

    public static function seed(array $opts = []): array
    {
        $now = date('Y-m-d H:i:s');
        $today = date('Y-m-d');
        $root = Bootstrap::root();
        $config = [
            'Version' => (string) ($opts['version'] ?? self::DEFAULT_VERSION),
            'Language' => 'english',
            'ModuleDebugMode' => (string) ($opts['moduledebug'] ?? ''),
            'SystemURL' => (string) ($opts['systemurl'] ?? 'http://whmcs.test/'),
            'Template' => 'twenty-one',
            'OrderFormTemplate' => 'standard_cart',
            'CompanyName' => 'WHMCS Emulation',
            'Email' => 'billing@whmcs.test',
            'Charset' => 'utf-8',
            'DateFormat' => 'YYYY-MM-DD',
            'ActiveAddonModules' => '',
            'AddonModulesPerms' => '',
            'AddonModulesHooks' => '',
            // Marks the database as the emulation's: a later install may replace it (Schema::dropInstallation).
            Schema::EMULATION_MARK => '1',
        ];
        foreach ($config as $setting => $value) {
            Capsule::table('tblconfiguration')->insert(['setting' => $setting, 'value' => $value, 'created_at' => $now, 'updated_at' => $now]);
        }
        Capsule::table('tblcurrencies')->insert(['code' => 'USD', 'prefix' => '$', 'suffix' => ' USD', 'format' => 1, 'rate' => 1, 'default' => 1]);
        Capsule::table('tblclients')->insert([
            'uuid' => self::uuid(), 'firstname' => 'Jane', 'lastname' => 'Doe', 'companyname' => 'Doe Ltd',
            'email' => 'jane.doe@example.test', 'address1' => '1 Test Street', 'address2' => '',
            'city' => 'Testville', 'state' => 'CA', 'postcode' => '90210', 'country' => 'US',
            'phonenumber' => '+1.5551234', 'tax_id' => '', 'currency' => 1, 'defaultgateway' => 'mailin',
            'credit' => 0, 'groupid' => 0, 'status' => 'Active', 'language' => '', 'datecreated' => $today,
            'created_at' => $now, 'updated_at' => $now,
        ]);
        Capsule::table('tblproductgroups')->insert(['name' => 'Acronis Cyber Cloud', 'slug' => 'acronis-cyber-cloud', 'hidden' => 0, 'order' => 1, 'created_at' => $now, 'updated_at' => $now]);
        $productId = Capsule::table('tblproducts')->insertGetId([
            'type' => 'other', 'gid' => 1, 'name' => 'Acronis Cyber Protect', 'slug' => 'acronis-cyber-protect',
            'description' => '', 'paytype' => 'recurring', 'autosetup' => 'payment', 'servertype' => 'acroniscloud',
            'servergroup' => 0, 'created_at' => $now, 'updated_at' => $now,
        ]);
        Capsule::table('tblpricing')->insert(['type' => 'product', 'currency' => 1, 'relid' => $productId, 'monthly' => 10]);
        Capsule::table('tbladminroles')->insert(['name' => 'Full Administrator', 'widgets' => '', 'systememails' => 1, 'accountemails' => 1, 'supportemails' => 1]);
        Capsule::table('tbladmins')->insert([
            'uuid' => self::uuid(), 'roleid' => 1, 'username' => 'admin', 'password' => '',
            'passwordhash' => password_hash('admin', PASSWORD_DEFAULT), 'firstname' => 'Ada', 'lastname' => 'Admin',
            'email' => 'admin@whmcs.test', 'template' => 'blend', 'language' => 'english', 'disabled' => 0,
            'created_at' => $now, 'updated_at' => $now,
        ]);
        foreach (['name' => 'Mail In Payment', 'type' => 'Invoices', 'visible' => 'on'] as $setting => $value) {
            Capsule::table('tblpaymentgateways')->insert(['gateway' => 'mailin', 'setting' => $setting, 'value' => $value, 'order' => 1]);
        }
        $storageId = Capsule::table('tblstorageconfigurations')->insertGetId([
            'name' => 'Local Storage', 'handler' => 'WHMCS\\File\\Provider\\LocalStorageProvider',
            'settings' => json_encode(['local_path' => $root . '/downloads']), 'is_local' => 1, 'sort_order' => 0,
            'created_at' => $now, 'updated_at' => $now,
        ]);
        Capsule::table('tblfileassetsettings')->insert(['asset_type' => 'downloads', 'storageconfiguration_id' => $storageId, 'created_at' => $now, 'updated_at' => $now]);

        $seeded = ['client' => 1, 'product' => $productId, 'admin' => 'admin'];
        if (($opts['seed'] ?? '') === 'full') {
            $seeded['server'] = self::addServer([
                'name' => 'Acronis EU2', 'hostname' => 'cloud.example.test', 'username' => 'client-id',
                'password' => 'client-secret', 'accesshash' => 'client_credentials', 'secure' => 'on', 'type' => 'acroniscloud',
            ]);
            $fields = [];
            foreach (['tenant_id|Tenant ID', 'user_id|User ID', 'cloud_login|Cloud Login (optional)'] as $i => $name) {
                $fields[] = Capsule::table('tblcustomfields')->insertGetId([
                    'type' => 'product', 'relid' => $productId, 'fieldname' => $name, 'fieldtype' => 'text',
                    'description' => '', 'fieldoptions' => '', 'regexpr' => '', 'adminonly' => $i < 2 ? 'on' : '',
                    'required' => '', 'showorder' => $i === 2 ? 'on' : '', 'showinvoice' => '', 'sortorder' => $i,
                    'created_at' => $now, 'updated_at' => $now,
                ]);
            }
            $gid = Capsule::table('tblproductconfiggroups')->insertGetId(['name' => 'Acronis options', 'description' => '']);
            Capsule::table('tblproductconfiglinks')->insert(['gid' => $gid, 'pid' => $productId]);
            $optionId = Capsule::table('tblproductconfigoptions')->insertGetId([
                'gid' => $gid, 'optionname' => 'pw_storage:gigabytes|Storage (GB)', 'optiontype' => '4',
                'qtyminimum' => 0, 'qtymaximum' => 1000, 'order' => 1, 'hidden' => 0,
            ]);
            Capsule::table('tblproductconfigoptionssub')->insert(['configid' => $optionId, 'optionname' => 'GB', 'sortorder' => 0, 'hidden' => 0]);
            $serviceId = self::addService([
                'userid' => 1, 'packageid' => $productId, 'server' => $seeded['server'], 'domainstatus' => 'Pending',
            ]);
            Capsule::table('tblhostingconfigoptions')->insert(['relid' => $serviceId, 'configid' => $optionId, 'optionid' => 0, 'qty' => 100]);
            $seeded['service'] = $serviceId;
        }
        return $seeded;
    }

    /** @param array<string, mixed> $f tblservers columns with a PLAIN password */
    public static function addServer(array $f): int
    {
        $row = [
            'name' => (string) ($f['name'] ?? ''),
            'ipaddress' => (string) ($f['ipaddress'] ?? $f['ip'] ?? ''),
            'assignedips' => '',
            'hostname' => (string) ($f['hostname'] ?? ''),
            'type' => (string) ($f['type'] ?? 'acroniscloud'),
            'username' => (string) ($f['username'] ?? ''),
            'password' => Crypto::encrypt((string) ($f['password'] ?? '')),
            'accesshash' => (string) ($f['accesshash'] ?? ''),
            'secure' => self::onOff($f['secure'] ?? 'on'),
            'port' => isset($f['port']) && $f['port'] !== '' ? (int) $f['port'] : null,
            'maxaccounts' => (int) ($f['maxaccounts'] ?? 0),
            'active' => (int) ($f['active'] ?? 1),
            'disabled' => (int) ($f['disabled'] ?? 0),
        ];
        return (int) Capsule::table('tblservers')->insertGetId($row);
    }

    /** @param array<string, mixed> $f tblhosting columns; 'password' is PLAIN and gets encrypted */
    public static function addService(array $f): int
    {
        $now = date('Y-m-d H:i:s');
        $row = $f + [
            'orderid' => 0, 'server' => 0, 'regdate' => date('Y-m-d'), 'domain' => '', 'paymentmethod' => 'mailin',
            'qty' => 1, 'firstpaymentamount' => 10, 'amount' => 10, 'billingcycle' => 'Monthly',
            'nextduedate' => date('Y-m-d', strtotime('+1 month')), 'nextinvoicedate' => date('Y-m-d', strtotime('+1 month')),
            'domainstatus' => 'Pending', 'username' => '', 'notes' => '', 'subscriptionid' => '', 'suspendreason' => '',
            'dedicatedip' => '', 'assignedips' => '', 'ns1' => '', 'ns2' => '',
        ];
        $row['password'] = Crypto::encrypt((string) ($f['password'] ?? ''));
        $row['created_at'] = $now;
        $row['updated_at'] = $now;
        return (int) Capsule::table('tblhosting')->insertGetId($row);
    }

    /** Writes one tbladdonmodules setting of $module (updated in place, or added). */
    public static function setAddonSetting(string $module, string $setting, string $value): void
    {
        $q = Capsule::table('tbladdonmodules')->where('module', $module)->where('setting', $setting);
        if ($q->exists()) {
            $q->update(['value' => $value]);
        } else {
            Capsule::table('tbladdonmodules')->insert(['module' => $module, 'setting' => $setting, 'value' => $value]);
        }
    }

    /** 'on' for on/1/true/yes, '' otherwise (WHMCS checkbox convention). */
    public static function onOff($value): string
    {
        if ($value === true) {
            return 'on';
        }
        return in_array(strtolower((string) $value), ['on', '1', 'true', 'yes'], true) ? 'on' : '';
    }

    public static function uuid(): string
    {
        $b = random_bytes(16);
        $b[6] = chr((ord($b[6]) & 0x0f) | 0x40);
        $b[8] = chr((ord($b[8]) & 0x3f) | 0x80);
        return vsprintf('%s%s-%s-%s-%s-%s%s%s', str_split(bin2hex($b), 4));
    }
}
