<?php

namespace WHMCS\User;

use Illuminate\Database\Eloquent\Model;

/** Client (tblclients). */
class Client extends Model
{
    protected $table = 'tblclients';
    protected $guarded = ['id'];
    protected $casts = ['id' => 'integer', 'currency' => 'integer'];

    public function services()
    {
        return $this->hasMany(\WHMCS\Service\Service::class, 'userid');
    }
}
