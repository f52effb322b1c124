<?php

namespace WHMCS\CustomField;

use Illuminate\Database\Eloquent\Model;

/** Custom field value (tblcustomfieldsvalues). */
class CustomFieldValue extends Model
{
    protected $table = 'tblcustomfieldsvalues';
    protected $guarded = ['id'];

    public function customField()
    {
        return $this->belongsTo(CustomField::class, 'fieldid');
    }
}
