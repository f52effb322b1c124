<?php
declare(strict_types=1);

namespace WhmcsHost;

use Illuminate\Database\Schema\Blueprint;
use WHMCS\Database\Capsule;

/**
 * WHMCS core tables the module uses (docs/whmcs-emulation.md "What it provides", tables), built with the schema builder (portable:
 * SQLite and MySQL/MariaDB: InnoDB, the connection's charset, a primary key on every table).
 * Dates are nullable instead of WHMCS's zero dates (SQLite/strict MySQL have none; see
 * README "Divergences").
 */
final class Schema
{
    /** @return string[] names of the created tables */
    public static function create(): array
    {
        $schema = Capsule::schema();
        $created = [];
        foreach (self::definitions() as $name => $definition) {
            if ($schema->hasTable($name)) {
                continue;
            }
            $schema->create($name, $definition);
            $created[] = $name;
        }
        return $created;
    }

    /** tblconfiguration setting that marks a database installed by the emulation. */
    public const EMULATION_MARK = 'WhmcsHostEmulation';

    /**
     * A new installation in an existing MySQL database replaces an earlier installation of the emulation:
     * its tables and the module's `acroniscloud_*` tables are dropped, other tables are left alone. A database
     * holding tables but no emulation installation (a real WHMCS database, say) is refused untouched.
     *
     * @return string[] names of the dropped tables
     */
    public static function dropInstallation(): array
    {
        $db = Capsule::connection();
        $all = array_map(
            static fn ($r) => (string) array_values((array) $r)[0],
            $db->select('SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()')
        );
        if ($all === []) {
            return [];
        }
        $ours = in_array('tblconfiguration', $all, true)
            && Capsule::table('tblconfiguration')->where('setting', self::EMULATION_MARK)->exists();
        if (!$ours) {
            throw new \RuntimeException(sprintf(
                "Database '%s' already holds %d table(s) (%s…) and no WHMCS emulation installation: install into an empty database",
                $db->getDatabaseName(),
                count($all),
                implode(', ', array_slice($all, 0, 3))
            ));
        }
        $module = array_values(array_filter($all, static fn ($t) => strncmp($t, 'acroniscloud_', 13) === 0));
        $dropped = [];
        foreach (array_merge($module, array_reverse(self::tableNames())) as $table) {
            if (in_array($table, $all, true)) {
                Capsule::schema()->drop($table);
                $dropped[] = $table;
            }
        }
        return $dropped;
    }

    /** @return string[] */
    public static function tableNames(): array
    {
        return array_keys(self::definitions());
    }

    /** @return array<string, callable(Blueprint):void> */
    private static function definitions(): array
    {
        return [
            'tblconfiguration' => function (Blueprint $t) {
                $t->increments('id');
                $t->string('setting', 64)->unique();
                $t->text('value')->nullable();
                $t->timestamps();
            },
            'tblcurrencies' => function (Blueprint $t) {
                $t->increments('id');
                $t->string('code', 16);
                $t->string('prefix', 16)->default('');
                $t->string('suffix', 16)->default('');
                $t->integer('format')->default(1);
                $t->decimal('rate', 10, 5)->default(1);
                $t->integer('default')->default(0);
            },
            'tblclients' => function (Blueprint $t) {
                $t->increments('id');
                $t->string('uuid', 64)->default('');
                $t->string('firstname')->default('');
                $t->string('lastname')->default('');
                $t->string('companyname')->default('');
                $t->string('email')->default('');
                $t->string('address1')->default('');
                $t->string('address2')->default('');
                $t->string('city')->default('');
                $t->string('state')->default('');
                $t->string('postcode', 64)->default('');
                $t->string('country', 2)->default('');
                $t->string('phonenumber', 64)->default('');
                $t->string('tax_id', 128)->default('');
                $t->integer('currency')->default(1);
                $t->string('defaultgateway', 64)->default('');
                $t->decimal('credit', 16, 2)->default(0);
                $t->integer('groupid')->default(0);
                $t->enum('status', ['Active', 'Inactive', 'Closed'])->default('Active');
                $t->string('language', 64)->default('');
                $t->text('notes')->nullable();
                $t->date('datecreated')->nullable();
                $t->timestamps();
            },
            'tblproductgroups' => function (Blueprint $t) {
                $t->increments('id');
                $t->string('name')->default('');
                $t->string('slug')->default('');
                $t->string('headline')->default('');
                $t->text('tagline')->nullable();
                $t->string('orderfrmtpl')->default('');
                $t->text('disabledgateways')->nullable();
                $t->integer('hidden')->default(0);
                $t->integer('order')->default(0);
                $t->timestamps();
            },
            'tblproducts' => function (Blueprint $t) {
                $t->increments('id');
                $t->string('type', 32)->default('other');
                $t->integer('gid')->default(0);
                $t->string('name')->default('');
                $t->string('slug')->default('');
                $t->text('description')->nullable();
                $t->integer('hidden')->default(0);
                $t->integer('showdomainoptions')->default(0);
                $t->integer('welcomeemail')->default(0);
                $t->integer('stockcontrol')->default(0);
                $t->integer('qty')->default(0);
                $t->integer('proratabilling')->default(0);
                $t->integer('proratadate')->default(0);
                $t->integer('proratachargenextmonth')->default(0);
                $t->string('paytype', 32)->default('recurring');
                $t->integer('allowqty')->default(0);
                $t->string('subdomain')->default('');
                $t->string('autosetup', 32)->default('');
                $t->string('servertype', 64)->default('');
                $t->integer('servergroup')->default(0);
                for ($i = 1; $i <= 24; $i++) {
                    $t->text('configoption' . $i)->nullable();
                }
                $t->text('freedomain')->nullable();
                $t->integer('recurringcycles')->default(0);
                $t->integer('autoterminatedays')->default(0);
                $t->integer('autoterminateemail')->default(0);
                $t->integer('configoptionsupgrade')->default(0);
                $t->text('billingcycleupgrade')->nullable();
                $t->integer('upgradeemail')->default(0);
                $t->string('overagesenabled')->default('');
                $t->integer('tax')->default(0);
                $t->integer('affiliateonetime')->default(0);
                $t->integer('retired')->default(0);
                $t->integer('is_featured')->default(0);
                $t->integer('order')->default(0);
                $t->timestamps();
            },
            'tblservers' => function (Blueprint $t) {
                $t->increments('id');
                $t->string('name')->default('');
                $t->string('ipaddress')->default('');
                $t->text('assignedips')->nullable();
                $t->string('hostname')->default('');
                $t->decimal('monthlycost', 16, 2)->default(0);
                $t->string('noc')->default('');
                $t->string('statusaddress')->default('');
                for ($i = 1; $i <= 5; $i++) {
                    $t->string('nameserver' . $i)->default('');
                    $t->string('nameserver' . $i . 'ip')->default('');
                }
                $t->integer('maxaccounts')->default(0);
                $t->string('type', 64)->default('');
                $t->text('username')->nullable();
                $t->text('password')->nullable();
                $t->text('accesshash')->nullable();
                $t->string('secure', 8)->default('');
                $t->integer('port')->nullable();
                $t->integer('active')->default(0);
                $t->integer('disabled')->default(0);
            },
            'tblservergroups' => function (Blueprint $t) {
                $t->increments('id');
                $t->string('name')->default('');
                $t->integer('filltype')->default(1);
            },
            'tblservergroupsrel' => function (Blueprint $t) {
                $t->increments('id');
                $t->integer('groupid');
                $t->integer('serverid');
            },
            'tblhosting' => function (Blueprint $t) {
                $t->increments('id');
                $t->integer('userid');
                $t->integer('orderid')->default(0);
                $t->integer('packageid');
                $t->integer('server')->default(0);
                $t->date('regdate')->nullable();
                $t->text('domain')->nullable();
                $t->text('paymentmethod')->nullable();
                $t->integer('qty')->default(1);
                $t->decimal('firstpaymentamount', 16, 2)->default(0);
                $t->decimal('amount', 16, 2)->default(0);
                $t->string('billingcycle')->default('Monthly');
                $t->date('nextduedate')->nullable();
                $t->date('nextinvoicedate')->nullable();
                $t->date('termination_date')->nullable();
                $t->date('completed_date')->nullable();
                $t->enum('domainstatus', ['Pending', 'Active', 'Suspended', 'Terminated', 'Cancelled', 'Fraud', 'Completed'])->default('Pending');
                $t->text('username')->nullable();
                $t->text('password')->nullable();
                $t->text('notes')->nullable();
                $t->text('subscriptionid')->nullable();
                $t->integer('promoid')->default(0);
                $t->text('suspendreason')->nullable();
                $t->integer('overideautosuspend')->default(0);
                $t->date('overidesuspenduntil')->nullable();
                $t->text('dedicatedip')->nullable();
                $t->text('assignedips')->nullable();
                $t->text('ns1')->nullable();
                $t->text('ns2')->nullable();
                $t->integer('diskusage')->default(0);
                $t->integer('disklimit')->default(0);
                $t->integer('bwusage')->default(0);
                $t->integer('bwlimit')->default(0);
                $t->dateTime('lastupdate')->nullable();
                $t->timestamps();
            },
            'tblcustomfields' => function (Blueprint $t) {
                $t->increments('id');
                $t->string('type', 32)->default('product');
                $t->integer('relid')->default(0);
                $t->text('fieldname');
                $t->string('fieldtype', 32)->default('text');
                $t->text('description')->nullable();
                $t->text('fieldoptions')->nullable();
                $t->text('regexpr')->nullable();
                $t->string('adminonly', 8)->default('');
                $t->string('required', 8)->default('');
                $t->string('showorder', 8)->default('');
                $t->string('showinvoice', 8)->default('');
                $t->integer('sortorder')->default(0);
                $t->timestamps();
            },
            'tblcustomfieldsvalues' => function (Blueprint $t) {
                $t->increments('id');
                $t->integer('fieldid');
                $t->integer('relid');
                $t->text('value')->nullable();
                $t->timestamps();
                $t->index(['fieldid', 'relid']);
            },
            'tblproductconfiggroups' => function (Blueprint $t) {
                $t->increments('id');
                $t->string('name')->default('');
                $t->text('description')->nullable();
            },
            'tblproductconfiglinks' => function (Blueprint $t) {
                $t->increments('id');
                $t->integer('gid');
                $t->integer('pid');
            },
            'tblproductconfigoptions' => function (Blueprint $t) {
                $t->increments('id');
                $t->integer('gid');
                $t->text('optionname');
                $t->string('optiontype', 8)->default('1');
                $t->integer('qtyminimum')->default(0);
                $t->integer('qtymaximum')->default(0);
                $t->integer('order')->default(0);
                $t->integer('hidden')->default(0);
            },
            'tblproductconfigoptionssub' => function (Blueprint $t) {
                $t->increments('id');
                $t->integer('configid');
                $t->text('optionname');
                $t->integer('sortorder')->default(0);
                $t->integer('hidden')->default(0);
            },
            'tblhostingconfigoptions' => function (Blueprint $t) {
                $t->increments('id');
                $t->integer('relid');
                $t->integer('configid');
                $t->integer('optionid')->default(0);
                $t->integer('qty')->default(0);
            },
            'tblpricing' => function (Blueprint $t) {
                $t->increments('id');
                $t->enum('type', ['product', 'addon', 'configoptions', 'domainregister', 'domaintransfer', 'domainrenew', 'domainaddons', 'usage']);
                $t->integer('currency');
                $t->integer('relid');
                foreach (['msetupfee', 'qsetupfee', 'ssetupfee', 'asetupfee', 'bsetupfee', 'tsetupfee', 'monthly', 'quarterly', 'semiannually', 'annually', 'biennially', 'triennially'] as $c) {
                    $t->decimal($c, 16, 2)->default(0);
                }
            },
            'tblupgrades' => function (Blueprint $t) {
                $t->increments('id');
                $t->integer('userid')->default(0);
                $t->integer('orderid')->default(0);
                $t->enum('type', ['service', 'addon', 'package', 'configoptions']);
                $t->date('date')->nullable();
                $t->integer('relid');
                $t->text('originalvalue')->nullable();
                $t->text('newvalue')->nullable();
                $t->string('new_cycle')->default('');
                $t->decimal('amount', 16, 2)->default(0);
                $t->decimal('credit_amount', 16, 2)->default(0);
                $t->integer('days_remaining')->default(0);
                $t->integer('total_days_in_cycle')->default(0);
                $t->decimal('new_recurring_amount', 16, 2)->default(0);
                $t->decimal('recurringchange', 16, 2)->default(0);
                $t->enum('status', ['Pending', 'Completed'])->default('Pending');
                $t->string('paid', 1)->default('N');
            },
            'tbladdonmodules' => function (Blueprint $t) {
                $t->increments('id');
                $t->string('module', 64);
                $t->string('setting', 64);
                $t->text('value')->nullable();
            },
            'tblmodulelog' => function (Blueprint $t) {
                $t->increments('id');
                $t->dateTime('date')->nullable();
                $t->text('module');
                $t->text('action');
                // mediumText: a Cloud API response body easily passes TEXT's 64 KB, which strict MySQL refuses.
                $t->mediumText('request');
                $t->mediumText('response');
                $t->mediumText('arrdata');
            },
            'tblactivitylog' => function (Blueprint $t) {
                $t->increments('id');
                $t->dateTime('date')->nullable();
                $t->text('description');
                $t->string('user')->default('');
                $t->integer('userid')->default(0);
                $t->integer('user_id')->default(0);
                $t->integer('admin_id')->default(0);
                $t->string('ipaddr', 64)->default('');
            },
            // Product/general e-mail templates (WHMCS: Setup > Email Templates); `custom` = 1 for
            // templates an addon or the admin added, `language` '' = the default language.
            'tblemailtemplates' => function (Blueprint $t) {
                $t->increments('id');
                $t->string('type', 32);
                $t->string('name', 191);
                $t->text('subject');
                $t->text('message');
                $t->text('attachments')->nullable();
                $t->string('fromname', 191)->default('');
                $t->string('fromemail', 191)->default('');
                $t->boolean('disabled')->default(false);
                $t->boolean('custom')->default(false);
                $t->string('language', 32)->default('');
                $t->text('copyto')->nullable();
                $t->text('blind_copy_to')->nullable();
                $t->boolean('plaintext')->default(false);
                $t->timestamps();
            },
            // Sent e-mails (WHMCS: the client's Emails tab): the emulation "sends" by writing here.
            'tblemails' => function (Blueprint $t) {
                $t->increments('id');
                $t->integer('userid')->default(0);
                $t->text('subject');
                $t->mediumText('message');
                $t->dateTime('date')->nullable();
                $t->text('to')->nullable();
                $t->text('cc')->nullable();
                $t->text('bcc')->nullable();
                $t->text('attachments')->nullable();
                $t->boolean('pending')->default(false);
                $t->text('message_data')->nullable();
            },
            'tblpaymentgateways' => function (Blueprint $t) {
                $t->increments('id');
                $t->string('gateway', 64);
                $t->string('setting', 64);
                $t->text('value')->nullable();
                $t->integer('order')->default(0);
            },
            'tbladminroles' => function (Blueprint $t) {
                $t->increments('id');
                $t->string('name')->default('');
                $t->text('widgets')->nullable();
                $t->integer('systememails')->default(0);
                $t->integer('accountemails')->default(0);
                $t->integer('supportemails')->default(0);
            },
            'tbladmins' => function (Blueprint $t) {
                $t->increments('id');
                $t->string('uuid', 64)->default('');
                $t->integer('roleid')->default(1);
                $t->string('username')->unique();
                $t->text('password')->nullable();
                $t->text('passwordhash')->nullable();
                $t->string('firstname')->default('');
                $t->string('lastname')->default('');
                $t->string('email')->default('');
                $t->string('template', 64)->default('blend');
                $t->string('language', 64)->default('english');
                $t->integer('disabled')->default(0);
                $t->timestamps();
            },
            'tbladminperms' => function (Blueprint $t) {
                // Every table has a primary key (Galera and innodb_force_primary_key require one). An id, not
                // primary(['roleid', 'permid']): the schema builder adds a composite key by a separate ALTER,
                // after a CREATE TABLE the server already refused.
                $t->increments('id');
                $t->integer('roleid');
                $t->integer('permid');
                $t->unique(['roleid', 'permid']);
            },
            'tblusage_items' => function (Blueprint $t) {
                self::usageColumns($t);
                $t->decimal('included', 19, 6)->default(0);
                $t->integer('is_hidden')->default(0);
                $t->timestamps();
                $t->softDeletes();
            },
            'tblmetric_usage' => function (Blueprint $t) {
                self::usageColumns($t);
                $t->decimal('value', 19, 6)->default(0);
                $t->timestamps();
            },
            'tblserver_tenants' => function (Blueprint $t) {
                $t->increments('id');
                $t->integer('server_id');
                $t->string('tenant');
                $t->timestamps();
            },
            'tbltenant_stats' => function (Blueprint $t) {
                $t->increments('id');
                $t->integer('tenant_id');
                $t->string('metric');
                $t->string('type', 32)->default('');
                $t->decimal('value', 19, 6)->default(0);
                $t->dateTime('measured_at')->nullable();
                $t->integer('invoice_id')->default(0);
                $t->timestamps();
            },
            'tblstorageconfigurations' => function (Blueprint $t) {
                $t->increments('id');
                $t->string('name')->default('');
                $t->string('handler')->default('');
                $t->text('settings')->nullable();
                $t->integer('is_local')->default(1);
                $t->integer('sort_order')->default(0);
                $t->timestamps();
            },
            'tblfileassetsettings' => function (Blueprint $t) {
                $t->increments('id');
                $t->string('asset_type', 64);
                $t->integer('storageconfiguration_id');
                $t->integer('migratetoconfiguration_id')->nullable();
                $t->timestamps();
            },
        ];
    }

    /** The columns `tblusage_items` and `tblmetric_usage` start with: the id, what is billed, the metric. */
    private static function usageColumns(Blueprint $t): void
    {
        $t->increments('id');
        $t->string('rel_type', 64);
        $t->integer('rel_id');
        $t->string('module_type', 64)->default('');
        $t->string('module', 64)->default('');
        $t->string('metric')->default('');
    }
}
