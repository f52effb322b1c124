<?php
declare(strict_types=1);

namespace WhmcsHost\Web;

/**
 * Renders one ConfigOptions / addon `fields` entry:
 * text, password, yesno (value "on"), textarea, dropdown, radio; `Options`
 * as comma string or assoc stored => label; `Default` when no value is
 * stored; `Description` printed as HTML; `Loader` (global function called
 * with $params returning value => label; an exception's message is shown and
 * a text input is rendered instead).
 */
final class Fields
{
    /** @param array<string,mixed> $field */
    public static function render(string $name, string $id, array $field, ?string $value, array $params = []): string
    {
        $type = strtolower((string) ($field['Type'] ?? 'text'));
        $label = (string) ($field['FriendlyName'] ?? $name);
        $value = $value ?? (isset($field['Default']) ? (string) $field['Default'] : '');
        $size = (int) ($field['Size'] ?? 25);
        $e = [View::class, 'e'];
        $extra = '';
        $options = self::options($field['Options'] ?? []);
        if (!empty($field['Loader'])) {
            $loader = $field['Loader'];
            try {
                if (!is_callable($loader)) {
                    throw new \RuntimeException('Loader function not found: ' . (is_string($loader) ? $loader : 'callable'));
                }
                $loaded = call_user_func($loader, $params);
                $options = self::options(is_array($loaded) ? $loaded : []);
                $type = 'dropdown';
            } catch (\Throwable $ex) {
                $extra = '<div class="alert alert-danger loader-error" data-field="' . $e($id) . '">' . $e($ex->getMessage()) . '</div>';
                $type = 'text';
            }
        }
        switch ($type) {
            case 'password':
                $input = '<input type="password" id="' . $e($id) . '" name="' . $e($name) . '" size="' . $size . '" value="' . $e($value) . '">';
                break;
            case 'yesno':
                $input = '<input type="checkbox" id="' . $e($id) . '" name="' . $e($name) . '" value="on"' . ($value === 'on' || $value === '1' ? ' checked' : '') . '>';
                break;
            case 'textarea':
                $input = '<textarea id="' . $e($id) . '" name="' . $e($name) . '" rows="' . (int) ($field['Rows'] ?? 3) . '" cols="' . (int) ($field['Cols'] ?? 50) . '">'
                    . $e($value) . '</textarea>';
                break;
            case 'dropdown':
                $opts = '';
                if ($value !== '' && !array_key_exists($value, $options)) {
                    $opts .= '<option value="' . $e($value) . '" selected>' . $e($value) . '</option>';
                }
                foreach ($options as $k => $v) {
                    $opts .= '<option value="' . $e($k) . '"' . ((string) $k === $value ? ' selected' : '') . '>' . $e($v) . '</option>';
                }
                $input = '<select id="' . $e($id) . '" name="' . $e($name) . '">' . $opts . '</select>';
                break;
            case 'radio':
                $input = '';
                $n = 0;
                foreach ($options as $k => $v) {
                    $input .= '<label><input type="radio" id="' . $e($id . '_' . $n++) . '" name="' . $e($name) . '" value="' . $e($k) . '"'
                        . ((string) $k === $value ? ' checked' : '') . '> ' . $e($v) . '</label> ';
                }
                break;
            default:
                $input = '<input type="text" id="' . $e($id) . '" name="' . $e($name) . '" size="' . $size . '" value="' . $e($value) . '">';
        }
        $desc = isset($field['Description']) && $field['Description'] !== '' ? '<span class="field-description">' . $field['Description'] . '</span>' : '';
        return '<div class="form-group" data-type="' . $e($type) . '"><label for="' . $e($id) . '">' . $e($label) . '</label>' . $input . $desc . $extra . '</div>';
    }

    /** @return array<string,string> stored value => label */
    public static function options($options): array
    {
        if (is_string($options)) {
            $out = [];
            foreach (explode(',', $options) as $o) {
                $out[$o] = $o;
            }
            return $out;
        }
        $out = [];
        foreach ((array) $options as $k => $v) {
            $out[(string) $k] = (string) $v;
        }
        return $out;
    }
}
