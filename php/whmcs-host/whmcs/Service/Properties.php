<?php

namespace WHMCS\Service;

use WHMCS\Database\Capsule;

/**
 * Service properties: values stored in product custom fields of the service's
 * product. Missing fields are created on save (type text, admin only).
 */
class Properties
{
    /** @var Service */
    private $service;

    public function __construct(Service $service)
    {
        $this->service = $service;
    }

    private function findField($name)
    {
        $fields = Capsule::table('tblcustomfields')
            ->where('type', 'product')
            ->where('relid', $this->service->packageid)
            ->orderBy('id')
            ->get();
        foreach ($fields as $field) {
            $parts = explode('|', (string) $field->fieldname, 2);
            if ($field->fieldname === $name || $parts[0] === $name) {
                return $field;
            }
        }
        return null;
    }

    public function get($name)
    {
        $field = $this->findField($name);
        if ($field === null) {
            return '';
        }
        $value = Capsule::table('tblcustomfieldsvalues')
            ->where('fieldid', $field->id)
            ->where('relid', $this->service->id)
            ->value('value');
        return $value === null ? '' : (string) $value;
    }

    public function save(array $properties)
    {
        $now = date('Y-m-d H:i:s');
        foreach ($properties as $name => $value) {
            $field = $this->findField($name);
            if ($field === null) {
                $fieldId = Capsule::table('tblcustomfields')->insertGetId([
                    'type' => 'product',
                    'relid' => $this->service->packageid,
                    'fieldname' => $name,
                    'fieldtype' => 'text',
                    'description' => '',
                    'fieldoptions' => '',
                    'regexpr' => '',
                    'adminonly' => 'on',
                    'required' => '',
                    'showorder' => '',
                    'showinvoice' => '',
                    'sortorder' => 0,
                    'created_at' => $now,
                    'updated_at' => $now,
                ]);
            } else {
                $fieldId = $field->id;
            }
            $exists = Capsule::table('tblcustomfieldsvalues')
                ->where('fieldid', $fieldId)->where('relid', $this->service->id)->exists();
            if ($exists) {
                Capsule::table('tblcustomfieldsvalues')
                    ->where('fieldid', $fieldId)->where('relid', $this->service->id)
                    ->update(['value' => (string) $value, 'updated_at' => $now]);
            } else {
                Capsule::table('tblcustomfieldsvalues')->insert([
                    'fieldid' => $fieldId,
                    'relid' => $this->service->id,
                    'value' => (string) $value,
                    'created_at' => $now,
                    'updated_at' => $now,
                ]);
            }
        }
        return true;
    }
}
