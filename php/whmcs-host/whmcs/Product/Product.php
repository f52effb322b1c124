<?php

namespace WHMCS\Product;

use Illuminate\Database\Eloquent\Model;

/** Product (tblproducts). */
class Product extends Model
{
    protected $table = 'tblproducts';
    protected $guarded = ['id'];
    protected $casts = ['id' => 'integer', 'gid' => 'integer'];

    public function productGroup()
    {
        return $this->belongsTo(Group::class, 'gid');
    }

    public function services()
    {
        return $this->hasMany(\WHMCS\Service\Service::class, 'packageid');
    }

    public function customFields()
    {
        return $this->hasMany(\WHMCS\CustomField\CustomField::class, 'relid')->where('type', 'product');
    }

    public function getModuleAttribute()
    {
        return $this->attributes['servertype'] ?? '';
    }
}
