<?php

namespace WHMCS\Service;

use Illuminate\Database\Eloquent\Model;

/**
 * Service (tblhosting). Emulates the part of WHMCS's model that modules use
 * through $params['model'].
 *
 * @property int $id
 * @property int $userid
 * @property int $packageid
 * @property int $server
 * @property string $domainstatus
 */
class Service extends Model
{
    protected $table = 'tblhosting';
    protected $guarded = ['id'];
    protected $casts = [
        'id' => 'integer',
        'userid' => 'integer',
        'packageid' => 'integer',
        'server' => 'integer',
        'orderid' => 'integer',
    ];

    public function product()
    {
        return $this->belongsTo(\WHMCS\Product\Product::class, 'packageid');
    }

    public function client()
    {
        return $this->belongsTo(\WHMCS\User\Client::class, 'userid');
    }

    public function serverModel()
    {
        return $this->belongsTo(\WHMCS\Product\Server::class, 'server');
    }

    public function customFieldValues()
    {
        return $this->hasMany(\WHMCS\CustomField\CustomFieldValue::class, 'relid');
    }

    /** `$service->serviceProperties->get('name')` / `->save(['name' => 'value'])` */
    public function getServicePropertiesAttribute()
    {
        return new Properties($this);
    }

    public function getStatusAttribute()
    {
        return $this->attributes['domainstatus'] ?? null;
    }
}
