<?php
declare(strict_types=1);

namespace WhmcsHost\Tests\Host;

/** The emulation's localAPI `SendEmail` (product templates, custom vars, `tblemails`). */
final class SendEmailTest extends HostTestCase
{
    private function api(array $vars): array
    {
        return self::host()->ok('localapi', ['SendEmail', '--vars' => $vars]);
    }

    private function template(string $name, string $subject, string $message, string $language = '', int $disabled = 0): void
    {
        self::host()->sql('INSERT INTO tblemailtemplates (type, name, subject, message, disabled, custom, language) VALUES (?, ?, ?, ?, ?, 1, ?)',
            ['product', $name, $subject, $message, $disabled, $language]);
    }

    private function mails(): array
    {
        return self::host()->sql('SELECT userid, subject, message, message_data FROM tblemails ORDER BY id');
    }

    public function testProductTemplateIsRenderedWithCustomVarsAndLogged(): void
    {
        $h = self::host();
        $h->sql('DELETE FROM tblemails');
        $svc = (int) $h->ok('service:add', ['--pid' => 1])['serviceid'];
        $this->template('Host Test Notice', 'Hello {$client_first_name}: {$x}', '<p>Service {$service_id} at {$whmcs_url} – {$x}</p>');
        $this->template('Host Test Notice', 'Hallo {$x}', 'Deutsch', 'german');
        $vars = base64_encode(serialize(['x' => '42 %']));
        self::assertSame(['result' => 'success'], $this->api(['messagename' => 'Host Test Notice', 'id' => $svc, 'customvars' => $vars]));
        $mails = $this->mails();
        self::assertCount(1, $mails);
        self::assertStringEndsWith(': 42 %', $mails[0]['subject']);
        self::assertStringContainsString("Service $svc at http", $mails[0]['message']);
        self::assertSame(['template' => 'Host Test Notice', 'related_id' => $svc, 'vars' => ['x' => '42 %']], json_decode($mails[0]['message_data'], true));

        $client = (int) $h->ok('service:get', [$svc])['userid'];
        $h->sql("UPDATE tblclients SET language = 'german' WHERE id = ?", [$client]);
        self::assertSame(['result' => 'success'], $this->api(['messagename' => 'Host Test Notice', 'id' => $svc, 'customvars' => ['x' => 'y']]));
        self::assertSame('Hallo y', $this->mails()[1]['subject'], "the client's language first");
        $h->sql("UPDATE tblclients SET language = '' WHERE id = ?", [$client]);
    }

    public function testErrors(): void
    {
        $h = self::host();
        $svc = (int) $h->ok('service:add', ['--pid' => 1])['serviceid'];
        $this->template('Host Disabled Notice', 's', 'm', '', 1);
        $h->sql('DELETE FROM tblemails');
        foreach ([
            [['messagename' => 'No Such Template', 'id' => $svc], 'Email Template not found'],
            [['messagename' => 'Host Disabled Notice', 'id' => $svc], 'Email Template is disabled'],
            [['messagename' => 'Host Disabled Notice', 'id' => 999999], 'Related ID not found'],
            [['messagename' => '', 'id' => $svc], 'A message name is required'],
            [['messagename' => 'Host Disabled Notice', 'id' => $svc, 'customvars' => 'not base64!'], 'Invalid customvars: expected an array or base64(serialize(array))'],
        ] as [$vars, $message]) {
            self::assertSame(['result' => 'error', 'message' => $message], $this->api($vars));
        }
        self::assertSame([], $this->mails());
    }
}
