<?php
declare(strict_types=1);

namespace WhmcsHost;

use WHMCS\Database\Capsule;

/**
 * localAPI() (docs/whmcs-emulation.md "What it provides"): EncryptPassword, DecryptPassword, UpdateClientProduct,
 * GetClientsDetails, GetClientsProducts, ModuleChangePackage, SendEmail. Command names are case-insensitive.
 * Errors: ['result' => 'error', 'message' => …]. Numeric values in responses
 * are strings, as the WHMCS API usually returns them.
 */
final class LocalApi
{
    private const COMMANDS = [
        'encryptpassword' => 'encryptPassword',
        'decryptpassword' => 'decryptPassword',
        'updateclientproduct' => 'updateClientProduct',
        'getclientsdetails' => 'getClientsDetails',
        'getclientsproducts' => 'getClientsProducts',
        'modulechangepackage' => 'moduleChangePackage',
        'sendemail' => 'sendEmail',
    ];

    public static function call($command, $values = [], $adminUser = ''): array
    {
        $key = strtolower(trim((string) $command));
        if (!isset(self::COMMANDS[$key])) {
            return self::error('Command Not Found');
        }
        if (!is_array($values)) {
            return self::error('Invalid parameters: an array is expected');
        }
        if ($adminUser !== '' && $adminUser !== null) {
            $exists = Capsule::table('tbladmins')->where('username', (string) $adminUser)->exists();
            if (!$exists) {
                return self::error('No matching admin user found');
            }
        }
        return self::{self::COMMANDS[$key]}($values);
    }

    private static function error(string $message): array
    {
        return ['result' => 'error', 'message' => $message];
    }

    private static function encryptPassword(array $v): array
    {
        if (!array_key_exists('password2', $v) || !is_scalar($v['password2'])) {
            return self::error('Parameter password2 is required');
        }
        return ['result' => 'success', 'password' => Crypto::encrypt((string) $v['password2'])];
    }

    private static function decryptPassword(array $v): array
    {
        if (!array_key_exists('password2', $v) || !is_scalar($v['password2'])) {
            return self::error('Parameter password2 is required');
        }
        return ['result' => 'success', 'password' => Crypto::decrypt((string) $v['password2'])];
    }

    /**
     * ModuleChangePackage: runs the service's module `ChangePackage` with the service's current
     * product, as WHMCS does; a failure fires AfterModuleChangePackageFailed and answers
     * `result=error` with the module's message.
     */
    private static function moduleChangePackage(array $v): array
    {
        $serviceId = (int) ($v['serviceid'] ?? 0);
        if ($serviceId <= 0 || !Capsule::table('tblhosting')->where('id', $serviceId)->exists()) {
            return self::error('Service ID Not Found');
        }
        $params = Params::service($serviceId);
        $result = Modules::call('servers', (string) $params['moduletype'], 'ChangePackage', $params);
        if ($result !== 'success') {
            $message = is_string($result) ? $result : 'Module returned a non-string result';
            Hooks::run('AfterModuleChangePackageFailed', ['params' => $params, 'failureResponseMessage' => $message]);
            return self::error($message);
        }
        return ['result' => 'success'];
    }

    private static function updateClientProduct(array $v): array
    {
        $serviceId = (int) ($v['serviceid'] ?? 0);
        if ($serviceId <= 0 || !Capsule::table('tblhosting')->where('id', $serviceId)->exists()) {
            return self::error('Service ID Not Found');
        }
        $map = [
            'pid' => 'packageid', 'serverid' => 'server', 'regdate' => 'regdate',
            'nextduedate' => 'nextduedate', 'terminationdate' => 'termination_date',
            'domain' => 'domain', 'firstpaymentamount' => 'firstpaymentamount',
            'recurringamount' => 'amount', 'paymentmethod' => 'paymentmethod',
            'billingcycle' => 'billingcycle', 'subscriptionid' => 'subscriptionid',
            'status' => 'domainstatus', 'notes' => 'notes', 'serviceusername' => 'username',
            'overideautosuspend' => 'overideautosuspend', 'overidesuspenduntil' => 'overidesuspenduntil',
            'ns1' => 'ns1', 'ns2' => 'ns2', 'dedicatedip' => 'dedicatedip', 'assignedips' => 'assignedips',
            'diskusage' => 'diskusage', 'disklimit' => 'disklimit', 'bwusage' => 'bwusage',
            'bwlimit' => 'bwlimit', 'suspendreason' => 'suspendreason', 'promoid' => 'promoid',
        ];
        $update = [];
        foreach ($map as $param => $column) {
            if (array_key_exists($param, $v)) {
                $update[$column] = $v[$param];
            }
        }
        if (isset($update['domainstatus'])) {
            $valid = ['Pending', 'Active', 'Suspended', 'Terminated', 'Cancelled', 'Fraud', 'Completed'];
            if (!in_array($update['domainstatus'], $valid, true)) {
                return self::error('Invalid Status');
            }
        }
        if (isset($update['packageid']) && !Capsule::table('tblproducts')->where('id', $update['packageid'])->exists()) {
            return self::error('Invalid Product ID');
        }
        if (isset($update['nextduedate'])) {
            $update['nextinvoicedate'] = $update['nextduedate'];
        }
        if (array_key_exists('servicepassword', $v)) {
            $update['password'] = Crypto::encrypt((string) $v['servicepassword']);
        }
        foreach ((array) ($v['unset'] ?? []) as $field) {
            $column = $map[$field] ?? null;
            if ($column !== null && !in_array($column, ['packageid', 'server', 'domainstatus'], true)) {
                $update[$column] = in_array($column, ['regdate', 'nextduedate', 'termination_date', 'overidesuspenduntil'], true) ? null : '';
            }
        }
        $now = date('Y-m-d H:i:s');
        if ($update) {
            $update['updated_at'] = $now;
            Capsule::table('tblhosting')->where('id', $serviceId)->update($update);
        }
        if (!empty($v['customfields'])) {
            $fields = self::unserializeParam($v['customfields']);
            if ($fields === null) {
                return self::error('Invalid customfields: base64-encoded serialized array expected');
            }
            foreach ($fields as $fieldId => $value) {
                $q = Capsule::table('tblcustomfieldsvalues')->where('fieldid', (int) $fieldId)->where('relid', $serviceId);
                if ($q->exists()) {
                    $q->update(['value' => (string) $value, 'updated_at' => $now]);
                } else {
                    Capsule::table('tblcustomfieldsvalues')->insert([
                        'fieldid' => (int) $fieldId, 'relid' => $serviceId, 'value' => (string) $value,
                        'created_at' => $now, 'updated_at' => $now,
                    ]);
                }
            }
        }
        if (!empty($v['configoptions'])) {
            $options = self::unserializeParam($v['configoptions']);
            if ($options === null) {
                return self::error('Invalid configoptions: base64-encoded serialized array expected');
            }
            foreach ($options as $configId => $value) {
                $row = is_array($value)
                    ? ['optionid' => (int) ($value['optionid'] ?? 0), 'qty' => (int) ($value['qty'] ?? 0)]
                    : ['optionid' => (int) $value, 'qty' => 0];
                $q = Capsule::table('tblhostingconfigoptions')->where('relid', $serviceId)->where('configid', (int) $configId);
                if ($q->exists()) {
                    $q->update($row);
                } else {
                    Capsule::table('tblhostingconfigoptions')->insert($row + ['relid' => $serviceId, 'configid' => (int) $configId]);
                }
            }
        }
        return ['result' => 'success', 'serviceid' => (string) $serviceId];
    }

    private static function unserializeParam($value): ?array
    {
        if (is_array($value)) {
            return $value;
        }
        $decoded = base64_decode((string) $value, true);
        if ($decoded === false) {
            return null;
        }
        $data = @unserialize($decoded, ['allowed_classes' => false]);
        return is_array($data) ? $data : null;
    }

    private static function stringifyRow(array $row): array
    {
        foreach ($row as $k => $val) {
            if (is_int($val) || is_float($val)) {
                $row[$k] = (string) $val;
            } elseif ($val === null) {
                $row[$k] = '';
            }
        }
        return $row;
    }

    /**
     * Columns of a row as strings ('' for NULL, and for every column when there is no row).
     *
     * @param array<string, string> $columns answer key => column
     * @return array<string, string>
     */
    private static function strings(?object $row, array $columns): array
    {
        $out = [];
        foreach ($columns as $key => $column) {
            $out[$key] = (string) ($row->{$column} ?? '');
        }
        return $out;
    }

    private static function getClientsDetails(array $v): array
    {
        $q = Capsule::table('tblclients');
        if (!empty($v['clientid'])) {
            $q->where('id', (int) $v['clientid']);
        } elseif (!empty($v['email'])) {
            $q->where('email', (string) $v['email']);
        } else {
            return self::error('Client ID or Email Address Required');
        }
        $row = $q->first();
        if ($row === null) {
            return self::error('Client Not Found');
        }
        $client = self::stringifyRow(Params::clientDetails((int) $row->id));
        $response = ['result' => 'success', 'client' => $client] + $client;
        if (!empty($v['stats'])) {
            $response['stats'] = [
                'productsnumactive' => (string) Capsule::table('tblhosting')->where('userid', $row->id)->where('domainstatus', 'Active')->count(),
                'productsnumtotal' => (string) Capsule::table('tblhosting')->where('userid', $row->id)->count(),
            ];
        }
        return $response;
    }

    private static function getClientsProducts(array $v): array
    {
        $q = Capsule::table('tblhosting');
        if (!empty($v['clientid'])) {
            $q->where('userid', (int) $v['clientid']);
        }
        if (!empty($v['serviceid'])) {
            $q->where('id', (int) $v['serviceid']);
        }
        if (!empty($v['pid'])) {
            $q->where('packageid', (int) $v['pid']);
        }
        if (isset($v['domain']) && $v['domain'] !== '') {
            $q->where('domain', (string) $v['domain']);
        }
        if (isset($v['username2']) && $v['username2'] !== '') {
            $q->where('username', (string) $v['username2']);
        }
        $total = (clone $q)->count();
        $start = max(0, (int) ($v['limitstart'] ?? 0));
        $limit = (int) ($v['limitnum'] ?? 25);
        $rows = $q->orderBy('id')->offset($start)->limit($limit > 0 ? $limit : 25)->get();
        $products = [];
        foreach ($rows as $s) {
            $product = Capsule::table('tblproducts')->where('id', $s->packageid)->first();
            $group = $product ? Capsule::table('tblproductgroups')->where('id', $product->gid)->first() : null;
            $server = $s->server ? Capsule::table('tblservers')->where('id', $s->server)->first() : null;
            $customfields = [];
            if ($product) {
                $fields = Capsule::table('tblcustomfields')->where('type', 'product')->where('relid', $product->id)->orderBy('id')->get();
                foreach ($fields as $f) {
                    $customfields[] = [
                        'id' => (string) $f->id,
                        'name' => (string) $f->fieldname,
                        'translated_name' => (string) $f->fieldname,
                        'value' => (string) (Capsule::table('tblcustomfieldsvalues')->where('fieldid', $f->id)->where('relid', $s->id)->value('value') ?? ''),
                    ];
                }
            }
            $configoptions = [];
            $links = $product ? Capsule::table('tblproductconfiglinks')->where('pid', $product->id)->pluck('gid')->all() : [];
            if ($links) {
                $typeNames = ['1' => 'dropdown', '2' => 'radio', '3' => 'yesno', '4' => 'quantity'];
                foreach (Capsule::table('tblproductconfigoptions')->whereIn('gid', $links)->orderBy('order')->orderBy('id')->get() as $o) {
                    $row = Capsule::table('tblhostingconfigoptions')->where('relid', $s->id)->where('configid', $o->id)->first();
                    $value = '';
                    if (in_array((string) $o->optiontype, ['3', '4'], true)) {
                        $value = (string) ($row->qty ?? 0);
                    } elseif ($row && $row->optionid) {
                        $value = (string) (Capsule::table('tblproductconfigoptionssub')->where('id', $row->optionid)->value('optionname') ?? '');
                    }
                    $configoptions[] = [
                        'id' => (string) $o->id,
                        'option' => (string) $o->optionname,
                        'type' => $typeNames[(string) $o->optiontype] ?? (string) $o->optiontype,
                        'value' => $value,
                    ];
                }
            }
            $products[] = self::strings($s, ['id' => 'id', 'clientid' => 'userid', 'orderid' => 'orderid', 'pid' => 'packageid', 'regdate' => 'regdate'])
                + self::strings($product, ['name' => 'name', 'translated_name' => 'name'])
                + self::strings($group, ['groupname' => 'name', 'translated_groupname' => 'name'])
                + self::strings($s, ['domain' => 'domain', 'dedicatedip' => 'dedicatedip', 'serverid' => 'server'])
                + self::strings($server, ['servername' => 'name', 'serverip' => 'ipaddress', 'serverhostname' => 'hostname'])
                + self::strings($s, [
                    'suspensionreason' => 'suspendreason', 'firstpaymentamount' => 'firstpaymentamount',
                    'recurringamount' => 'amount', 'paymentmethod' => 'paymentmethod', 'paymentmethodname' => 'paymentmethod',
                    'billingcycle' => 'billingcycle', 'nextduedate' => 'nextduedate', 'status' => 'domainstatus',
                    'username' => 'username',
                ])
                + ['password' => Crypto::decrypt((string) ($s->password ?? ''))]
                + self::strings($s, [
                    'subscriptionid' => 'subscriptionid', 'promoid' => 'promoid', 'overideautosuspend' => 'overideautosuspend',
                    'overidesuspenduntil' => 'overidesuspenduntil', 'ns1' => 'ns1', 'ns2' => 'ns2', 'assignedips' => 'assignedips',
                    'notes' => 'notes', 'diskusage' => 'diskusage', 'disklimit' => 'disklimit', 'bwusage' => 'bwusage',
                    'bwlimit' => 'bwlimit', 'lastupdate' => 'lastupdate',
                ])
                + [
                    'customfields' => ['customfield' => $customfields],
                    'configoptions' => ['configoption' => $configoptions],
                ];
        }
        return [
            'result' => 'success',
            'clientid' => (string) ($v['clientid'] ?? ''),
            'serviceid' => (string) ($v['serviceid'] ?? ''),
            'pid' => (string) ($v['pid'] ?? ''),
            'domain' => (string) ($v['domain'] ?? ''),
            'totalresults' => (string) $total,
            'startnumber' => (string) $start,
            'numreturned' => (string) count($products),
            'products' => ['product' => $products],
        ];
    }

    /**
     * SendEmail (documented contract): `messagename` names an e-mail template, `id` the related
     * entity (a service for a `product` template), `customvars` an array or
     * base64(serialize(array)) of extra merge fields. The template of the client's language is
     * used when one exists, else the default one. The mail is rendered with Smarty and written
     * to `tblemails` (the emulation sends nothing).
     */
    private static function sendEmail(array $v): array
    {
        $name = trim((string) ($v['messagename'] ?? ''));
        if ($name === '') {
            return self::error('A message name is required');
        }
        $vars = $v['customvars'] ?? [];
        if (is_string($vars) && $vars !== '') {
            $decoded = base64_decode($vars, true);
            $vars = $decoded === false ? false : @unserialize($decoded, ['allowed_classes' => false]);
        }
        if (!is_array($vars)) {
            return self::error('Invalid customvars: expected an array or base64(serialize(array))');
        }
        $templates = Capsule::table('tblemailtemplates')->where('name', $name)->get();
        if ($templates->isEmpty()) {
            return self::error('Email Template not found');
        }
        $type = (string) $templates->first()->type;
        if ($type !== 'product') {
            return self::error('The emulation sends product templates only');
        }
        $service = Capsule::table('tblhosting')->where('id', (int) ($v['id'] ?? 0))->first();
        if ($service === null) {
            return self::error('Related ID not found');
        }
        $client = Capsule::table('tblclients')->where('id', (int) $service->userid)->first();
        if ($client === null) {
            return self::error('Client ID Not Found');
        }
        $language = strtolower((string) ($client->language ?? ''));
        $template = $templates->first(static fn ($t) => $language !== '' && strtolower((string) $t->language) === $language)
            ?? $templates->first(static fn ($t) => (string) $t->language === '');
        if ($template === null) {
            return self::error('Email Template not found');
        }
        if (!empty($template->disabled)) {
            return self::error('Email Template is disabled');
        }
        $merge = array_merge([
            'client_id' => (int) $client->id,
            'client_name' => trim($client->firstname . ' ' . $client->lastname),
            'client_first_name' => (string) $client->firstname,
            'client_email' => (string) $client->email,
            'service_id' => (int) $service->id,
            'service_domain' => (string) ($service->domain ?? ''),
            'whmcs_url' => (string) Capsule::table('tblconfiguration')->where('setting', 'SystemURL')->value('value'),
            'signature' => '',
        ], $vars);
        $smarty = new \Smarty();
        $compile = (string) ($GLOBALS['templates_compiledir'] ?? sys_get_temp_dir());
        $smarty->setCompileDir($compile);
        $smarty->setCacheDir($compile);
        foreach ($merge as $k => $value) {
            $smarty->assign($k, $value);
        }
        try {
            $subject = (string) $smarty->fetch('string:' . $template->subject);
            $message = (string) $smarty->fetch('string:' . $template->message);
        } catch (\Throwable $e) {
            return self::error('Email template error: ' . $e->getMessage());
        }
        Capsule::table('tblemails')->insert([
            'userid' => (int) $client->id, 'subject' => $subject, 'message' => $message,
            'date' => date('Y-m-d H:i:s'), 'to' => (string) $client->email, 'cc' => '', 'bcc' => '',
            'attachments' => '', 'pending' => 0,
            'message_data' => json_encode(['template' => $name, 'related_id' => (int) $service->id, 'vars' => $vars]),
        ]);
        return ['result' => 'success'];
    }
}
