<?php
declare(strict_types=1);

namespace WhmcsHost;

use WHMCS\Database\Capsule;

/**
 * $params builders (docs/whmcs-emulation.md "What it provides"). Types chosen by the
 * emulation (docs/whmcs-emulation.md "Choices" #3):
 * ids are int, `serversecure`/`server` bool, `serverport` string ('' when
 * NULL), configoptionN string ('' when unset), customfields values string,
 * configoptions values int for quantity/yes-no options, string (sub-option
 * name cut at `|`) for dropdown/radio.
 */
final class Params
{
    public static function whmcsVersion(): string
    {
        return (string) (Capsule::table('tblconfiguration')->where('setting', 'Version')->value('value') ?? '');
    }

    /** Server parameter set (TestConnection, MetricProvider, …) from a stored tblservers row. */
    public static function server(int $serverId): array
    {
        $row = Capsule::table('tblservers')->where('id', $serverId)->first();
        if ($row === null) {
            throw new \RuntimeException(sprintf('Server %d not found', $serverId));
        }
        return self::serverFromRow((array) $row);
    }

    /** @param array<string, mixed> $row tblservers row (password encrypted) */
    public static function serverFromRow(array $row): array
    {
        $fields = $row;
        $fields['password'] = Crypto::decrypt((string) ($row['password'] ?? ''));
        return self::serverFromFields($fields);
    }

    /**
     * @param array<string, mixed> $f server fields with a PLAIN password:
     *   id, ipaddress, hostname, username, password, accesshash, secure, port
     */
    public static function serverFromFields(array $f): array
    {
        $secure = ($f['secure'] ?? '') === 'on' || ($f['secure'] ?? '') === true || ($f['secure'] ?? '') === '1';
        $port = $f['port'] ?? null;
        return [
            'server' => true,
            'serverid' => isset($f['id']) && $f['id'] !== '' ? (int) $f['id'] : 0,
            'serverip' => (string) ($f['ipaddress'] ?? ''),
            'serverhostname' => (string) ($f['hostname'] ?? ''),
            'serverusername' => (string) ($f['username'] ?? ''),
            'serverpassword' => (string) ($f['password'] ?? ''),
            'serveraccesshash' => (string) ($f['accesshash'] ?? ''),
            'serversecure' => $secure,
            'serverhttpprefix' => $secure ? 'https' : 'http',
            'serverport' => $port === null ? '' : (string) $port,
            'whmcsVersion' => self::whmcsVersion(),
        ];
    }

    public static function cutName(string $name): string
    {
        $parts = explode('|', $name, 2);
        return trim($parts[0]);
    }

    /** Full service parameters (php/whmcs-host/README.md "`$params`"). */
    public static function service(int $serviceId): array
    {
        $service = Capsule::table('tblhosting')->where('id', $serviceId)->first();
        if ($service === null) {
            throw new \RuntimeException(sprintf('Service %d not found', $serviceId));
        }
        $product = Capsule::table('tblproducts')->where('id', $service->packageid)->first();
        if ($product === null) {
            throw new \RuntimeException(sprintf('Product %d of service %d not found', $service->packageid, $serviceId));
        }
        $params = [
            'accountid' => (int) $service->id,
            'serviceid' => (int) $service->id,
            'userid' => (int) $service->userid,
            'pid' => (int) $service->packageid,
            'serverid' => (int) $service->server,
            'domain' => (string) ($service->domain ?? ''),
            'username' => (string) ($service->username ?? ''),
            'password' => Crypto::decrypt((string) ($service->password ?? '')),
            'producttype' => (string) $product->type,
            'moduletype' => (string) $product->servertype,
        ];
        for ($i = 1; $i <= 24; $i++) {
            $params['configoption' . $i] = (string) ($product->{'configoption' . $i} ?? '');
        }
        $params['customfields'] = self::customFields((int) $service->id, (int) $service->packageid);
        $params['configoptions'] = self::configOptions((int) $service->id, (int) $service->packageid);
        $params['clientsdetails'] = self::clientDetails((int) $service->userid);

        $serverParams = [
            'server' => false, 'serverip' => '', 'serverhostname' => '', 'serverusername' => '',
            'serverpassword' => '', 'serveraccesshash' => '', 'serversecure' => false,
            'serverhttpprefix' => 'http', 'serverport' => '',
        ];
        if ((int) $service->server > 0) {
            $row = Capsule::table('tblservers')->where('id', $service->server)->first();
            if ($row !== null) {
                $serverParams = self::serverFromRow((array) $row);
                unset($serverParams['whmcsVersion'], $serverParams['serverid']);
            }
        }
        $params += $serverParams;
        $params['whmcsVersion'] = self::whmcsVersion();
        $params['model'] = \WHMCS\Service\Service::find((int) $service->id);
        return $params;
    }

    /** @return array<string, string> */
    public static function customFields(int $serviceId, int $productId): array
    {
        $out = [];
        $fields = Capsule::table('tblcustomfields')
            ->where('type', 'product')->where('relid', $productId)
            ->orderBy('sortorder')->orderBy('id')->get();
        foreach ($fields as $field) {
            $value = Capsule::table('tblcustomfieldsvalues')
                ->where('fieldid', $field->id)->where('relid', $serviceId)->value('value');
            $out[self::cutName((string) $field->fieldname)] = $value === null ? '' : (string) $value;
        }
        return $out;
    }

    /** @return array<string, int|string> */
    public static function configOptions(int $serviceId, int $productId): array
    {
        $out = [];
        $groupIds = Capsule::table('tblproductconfiglinks')->where('pid', $productId)->pluck('gid')->all();
        if (!$groupIds) {
            return $out;
        }
        $options = Capsule::table('tblproductconfigoptions')
            ->whereIn('gid', $groupIds)->orderBy('order')->orderBy('id')->get();
        foreach ($options as $option) {
            $row = Capsule::table('tblhostingconfigoptions')
                ->where('relid', $serviceId)->where('configid', $option->id)->first();
            $type = (string) $option->optiontype;
            $key = self::cutName((string) $option->optionname);
            if ($type === '3' || $type === '4') {
                $out[$key] = $row ? (int) $row->qty : 0;
                continue;
            }
            $subQuery = Capsule::table('tblproductconfigoptionssub')->where('configid', $option->id);
            $sub = $row && $row->optionid
                ? (clone $subQuery)->where('id', $row->optionid)->first()
                : $subQuery->orderBy('sortorder')->orderBy('id')->first();
            $out[$key] = $sub ? self::cutName((string) $sub->optionname) : '';
        }
        return $out;
    }

    /** clientsdetails: the keys the module reads plus common GetClientsDetails ones. */
    public static function clientDetails(int $clientId): array
    {
        $c = Capsule::table('tblclients')->where('id', $clientId)->first();
        if ($c === null) {
            return [];
        }
        $currencyCode = (string) (Capsule::table('tblcurrencies')->where('id', $c->currency)->value('code') ?? '');
        return [
            'userid' => (int) $c->id,
            'id' => (int) $c->id,
            'client_id' => (int) $c->id,
            'uuid' => (string) $c->uuid,
            'firstname' => (string) $c->firstname,
            'lastname' => (string) $c->lastname,
            'fullname' => trim($c->firstname . ' ' . $c->lastname),
            'companyname' => (string) $c->companyname,
            'email' => (string) $c->email,
            'address1' => (string) $c->address1,
            'address2' => (string) $c->address2,
            'city' => (string) $c->city,
            'state' => (string) $c->state,
            'fullstate' => (string) $c->state,
            'statecode' => (string) $c->state,
            'postcode' => (string) $c->postcode,
            'country' => (string) $c->country,
            'countrycode' => (string) $c->country,
            'phonenumber' => (string) $c->phonenumber,
            'tax_id' => (string) $c->tax_id,
            'language' => (string) $c->language,
            'currency' => (int) $c->currency,
            'currency_code' => $currencyCode,
            'groupid' => (int) $c->groupid,
            'status' => (string) $c->status,
            'credit' => (string) $c->credit,
            'defaultgateway' => (string) $c->defaultgateway,
        ];
    }
}
