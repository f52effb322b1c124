<?php
/**
 * The module's product custom fields (`tblcustomfields`) and their per-service values
 * (`tblcustomfieldsvalues`). The definitions come from the extension
 * (`TemplateStore::customFieldPlan`); a field is found by its key whether or not the admin
 * added a label (`tenant_id` or `tenant_id|Tenant`). This is the one place that creates a
 * field or writes a value, so ProductEdit, provisioning and the v1 migration agree.
 */

namespace AcronisCloud\Whmcs;

use WHMCS\Database\Capsule;

final class CustomFields
{
    /** Ids of product `$pid`'s fields with key `$key` (oldest first). */
    public static function ids(int $pid, string $key): array
    {
        return self::matching(self::names($pid), $key);
    }

    /** `[id => field name]` of product `$pid`'s fields (oldest first). */
    private static function names(int $pid): array
    {
        $names = [];
        foreach (Capsule::table('tblcustomfields')->where('type', 'product')->where('relid', $pid)->orderBy('id')->get(['id', 'fieldname']) as $field) {
            $names[(int) $field->id] = (string) $field->fieldname;
        }
        return $names;
    }

    /** Ids among `$names` (`[id => field name]`) of the fields with key `$key`. */
    private static function matching(array $names, string $key): array
    {
        return array_keys(array_filter($names, static function (string $name) use ($key): bool {
            return \AcronisCloud\TemplateStore::fieldMatches($name, $key);
        }));
    }

    /**
     * Id of the product's field `$definition['key']`, created from `$definition` (a
     * `customFieldPlan` entry: key plus `tblcustomfields` columns) when the product lacks it.
     */
    public static function ensure(int $pid, array $definition): int
    {
        $ids = self::ids($pid, (string) $definition['key']);
        if ($ids !== []) {
            return $ids[0];
        }
        $row = $definition;
        unset($row['key']);
        $now = date('Y-m-d H:i:s');
        return (int) Capsule::table('tblcustomfields')->insertGetId($row + [
            'type' => 'product', 'relid' => $pid, 'created_at' => $now, 'updated_at' => $now,
        ]);
    }

    /** Makes product `$pid`'s fields what activation `$activation` needs (adds and removes). */
    public static function syncProduct(int $pid, string $activation): void
    {
        $plan = \AcronisCloud\TemplateStore::customFieldPlan($activation);
        foreach ($plan['ensure'] as $definition) {
            self::ensure($pid, $definition);
        }
        foreach ($plan['remove'] as $key) {
            self::delete(self::ids($pid, (string) $key));
        }
    }

    /** Deletes field definitions and all their values. */
    public static function delete(array $fieldIds): void
    {
        if ($fieldIds !== []) {
            Capsule::table('tblcustomfieldsvalues')->whereIn('fieldid', $fieldIds)->delete();
            Capsule::table('tblcustomfields')->whereIn('id', $fieldIds)->delete();
        }
    }

    /** Sets the value of field `$fieldId` for service `$serviceId` (insert or update). */
    public static function setValue(int $fieldId, int $serviceId, string $value): void
    {
        $now = date('Y-m-d H:i:s');
        $where = ['fieldid' => $fieldId, 'relid' => $serviceId];
        if (Capsule::table('tblcustomfieldsvalues')->where($where)->exists()) {
            Capsule::table('tblcustomfieldsvalues')->where($where)->update(['value' => $value, 'updated_at' => $now]);
        } else {
            Capsule::table('tblcustomfieldsvalues')->insert($where + ['value' => $value, 'created_at' => $now, 'updated_at' => $now]);
        }
    }

    /** The value of field `$fieldId` for service `$serviceId` ('' when unset). */
    public static function value(int $fieldId, int $serviceId): string
    {
        return (string) Capsule::table('tblcustomfieldsvalues')->where('fieldid', $fieldId)->where('relid', $serviceId)->value('value');
    }

    /**
     * Ids of the Acronis services whose `tenant_id` field holds `$tenantId` (terminated and
     * cancelled services keep their ids and count too: their tenant may still exist).
     */
    public static function servicesWithTenant(string $tenantId): array
    {
        $tenantId = trim($tenantId);
        if ($tenantId === '') {
            return [];
        }
        $fields = Capsule::table('tblcustomfields')->join('tblproducts', 'tblproducts.id', '=', 'tblcustomfields.relid')
            ->where('tblcustomfields.type', 'product')->where('tblproducts.servertype', 'acroniscloud')
            ->get(['tblcustomfields.id', 'tblcustomfields.fieldname']);
        $ids = [];
        foreach ($fields as $field) {
            if (\AcronisCloud\TemplateStore::fieldMatches((string) $field->fieldname, 'tenant_id')) {
                $ids[] = (int) $field->id;
            }
        }
        if ($ids === []) {
            return [];
        }
        return array_values(array_unique(array_map('intval', Capsule::table('tblcustomfieldsvalues')
            ->whereIn('fieldid', $ids)->where('value', $tenantId)->pluck('relid')->all())));
    }

    /** `[key => value]` of every field of product `$pid` for service `$serviceId`. */
    public static function values(int $pid, int $serviceId): array
    {
        $values = [];
        foreach (self::names($pid) as $id => $name) {
            $values[trim(explode('|', $name, 2)[0])] = self::value($id, $serviceId);
        }
        return $values;
    }

    /**
     * Writes service field values (`[key => value]`, null deletes the value). A field the
     * product lacks is created from the extension's definition for the product's activation.
     */
    public static function save(int $serviceId, int $pid, array $changes): void
    {
        $names = self::names($pid);
        foreach ($changes as $key => $value) {
            $ids = self::matching($names, (string) $key);
            if ($value === null) {
                if ($ids !== []) {
                    Capsule::table('tblcustomfieldsvalues')->whereIn('fieldid', $ids)->where('relid', $serviceId)->delete();
                }
                continue;
            }
            self::setValue($ids !== [] ? $ids[0] : self::create($pid, (string) $key), $serviceId, (string) $value);
        }
    }

    /** Creates the product's field `$key` as its activation defines it. */
    private static function create(int $pid, string $key): int
    {
        $activation = (string) Capsule::table('tblproducts')->where('id', $pid)->value('configoption2');
        foreach (\AcronisCloud\TemplateStore::customFieldPlan($activation)['ensure'] as $definition) {
            if ($definition['key'] === $key) {
                return self::ensure($pid, $definition);
            }
        }
        throw new \RuntimeException("Product $pid has no custom field \"$key\".");
    }
}
