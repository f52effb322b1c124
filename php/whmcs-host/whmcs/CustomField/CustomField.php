<?php

namespace WHMCS\CustomField;

use Illuminate\Database\Eloquent\Model;

/** Custom field definition (tblcustomfields). */
class CustomField extends Model
{
    protected $table = 'tblcustomfields';
    protected $guarded = ['id'];
}
