<?php

namespace WHMCS\Product;

use Illuminate\Database\Eloquent\Model;

/** Product group (tblproductgroups). */
class Group extends Model
{
    protected $table = 'tblproductgroups';
    protected $guarded = ['id'];
    public $timestamps = false;
}
