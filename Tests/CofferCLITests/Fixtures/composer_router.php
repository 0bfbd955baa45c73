<?php
// A loopback composer repository for the tests: `php -S 127.0.0.1:PORT composer_router.php`.
// Demands HTTP basic auth like repo.magento.com: 401 with a JSON `warning` without valid keys, 403 for the key
// pair COFFER_TEST_FORBIDDEN_USER (valid keys without access). Serves packages.json and one package's dist zip,
// and /download/release.txt for a MAGEID + download token. /echo/… answers anyone with what curl sent.
// A token COFFER_TEST_TOKEN is accepted as `Authorization: Bearer` or `PRIVATE-TOKEN`, and with
// COFFER_TEST_LOG set every request's path and credentials header are appended to that file, so tests see
// which header each kind of credential arrived in.
$valid = [getenv('COFFER_TEST_USER') => getenv('COFFER_TEST_PASS')];
if (getenv('COFFER_TEST_USER2')) $valid[getenv('COFFER_TEST_USER2')] = getenv('COFFER_TEST_PASS2');
$forbidden = [getenv('COFFER_TEST_FORBIDDEN_USER') => getenv('COFFER_TEST_FORBIDDEN_PASS')];
$download = [getenv('COFFER_TEST_DL_USER') => getenv('COFFER_TEST_DL_PASS')];

$user = null; $pass = null;
$header = $_SERVER['HTTP_AUTHORIZATION'] ?? '';
if (stripos($header, 'Basic ') === 0) {
    $decoded = base64_decode(substr($header, 6), true);
    if ($decoded !== false && strpos($decoded, ':') !== false) {
        [$user, $pass] = explode(':', $decoded, 2);
    }
}
function matches(array $pairs, $user, $pass): bool {
    return $user !== null && $user !== '' && isset($pairs[$user]) && hash_equals((string)$pairs[$user], (string)$pass);
}
function deny(int $status, string $warning): void {
    http_response_code($status);
    if ($status === 401) header('WWW-Authenticate: Basic realm="coffer-test"');
    header('Content-Type: application/json');
    echo json_encode(['warning' => $warning]);
}

$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
$port = $_SERVER['SERVER_PORT'];
$token = getenv('COFFER_TEST_TOKEN');
$private = $_SERVER['HTTP_PRIVATE_TOKEN'] ?? '';
if (getenv('COFFER_TEST_LOG')) {
    $seen = $header !== '' ? 'Authorization: ' . $header : ($private !== '' ? 'PRIVATE-TOKEN: ' . $private : 'none');
    file_put_contents(getenv('COFFER_TEST_LOG'), "$path $seen\n", FILE_APPEND);
}
// Or as the username of basic auth, as composer sends a GitHub Enterprise token (`TOKEN:x-oauth-basic`) or a
// bitbucket consumer key (`KEY:SECRET`) to a host that is not github.com or bitbucket.org.
$byToken = is_string($token) && $token !== '' && (hash_equals('Bearer ' . $token, $header) || hash_equals($token, $private)
    || ($user !== null && hash_equals($token, $user)));

// For the quoting tests: the credentials curl sent, as hex, in the JSON warning that `coffer check` prints.
if (strpos($path, '/echo/') === 0) {
    header('Content-Type: application/json');
    echo json_encode(['warning' => bin2hex(($user ?? '') . ':' . ($pass ?? ''))]);
    return true;
}

// A hostile repository: terminal escape sequences (C0 ESC and BEL, a C1 CSI) and a backslash in the warning.
if (strpos($path, '/hostile/') === 0) {
    header('Content-Type: application/json');
    echo json_encode(['warning' => "\x1b[31mred\x1b]0;pwned\x07 \u{9b}2J back\\slash"]);
    return true;
}

if ($path === '/download/release.txt') {
    if (!matches($download, $user, $pass)) { deny(401, 'Invalid download token'); return true; }
    header('Content-Type: text/plain');
    echo "release bits\n";
    return true;
}

if (matches($forbidden, $user, $pass)) { deny(403, 'Your access to this repository has expired'); return true; }
if (!$byToken && !matches($valid, $user, $pass)) { deny(401, 'Invalid credentials for repository'); return true; }

if ($path === '/packages.json') {
    header('Content-Type: application/json');
    echo json_encode(['packages' => ['coffer-test/magic' => ['1.0.0' => [
        'name' => 'coffer-test/magic', 'version' => '1.0.0', 'type' => 'library',
        'autoload' => ['psr-4' => ['Magic\\' => 'src/']],
        'dist' => ['type' => 'zip', 'url' => "http://127.0.0.1:$port/dist/magic-1.0.0.zip"],
    ]]]]);
    return true;
}
if ($path === '/dist/magic-1.0.0.zip') {
    $file = tempnam(sys_get_temp_dir(), 'magic');
    $zip = new ZipArchive();
    $zip->open($file, ZipArchive::OVERWRITE);
    $zip->addFromString('composer.json', json_encode(['name' => 'coffer-test/magic', 'autoload' => ['psr-4' => ['Magic\\' => 'src/']]]));
    $zip->addFromString('src/Magic.php', "<?php\nnamespace Magic;\nclass Magic { const WORD = 'abracadabra'; }\n");
    $zip->close();
    header('Content-Type: application/zip');
    readfile($file);
    unlink($file);
    return true;
}
http_response_code(404);
echo "not found\n";
return true;
