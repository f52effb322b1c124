<?php

namespace WHMCS\Product;

use Illuminate\Database\Eloquent\Model;

/** Server (tblservers); no timestamps. The password attribute is the stored ciphertext. */
class Server extends Model
{
    protected $table = 'tblservers';
    protected $guarded = ['id'];
    public $timestamps = false;
    protected $casts = ['id' => 'integer'];
}
