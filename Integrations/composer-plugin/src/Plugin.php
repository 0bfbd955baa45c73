<?php

declare(strict_types=1);

namespace Coffer\ComposerPlugin;

use Composer\Composer;
use Composer\EventDispatcher\EventSubscriberInterface;
use Composer\IO\IOInterface;
use Composer\Plugin\PluginEvents;
use Composer\Plugin\PluginInterface;
use Composer\Plugin\PreFileDownloadEvent;
use Composer\Util\Url;

/**
 * Asks Coffer for a host's credentials the first time composer is about to download from it (metadata or
 * a package) without any, and hands them to composer's IO, in memory only: no auth.json, no config, no
 * cache, no temporary file. Credentials composer already has (auth.json, COMPOSER_AUTH) win.
 */
final class Plugin implements PluginInterface, EventSubscriberInterface
{
    /** Coffer's exit status for a locked vault (README, "Errors and exit codes"). */
    private const LOCKED = 8;

    private Composer $composer;
    private IOInterface $io;
    /** @var array<string, true> origins already asked, whatever the answer */
    private array $asked = [];
    private bool $saidLocked = false;

    public function activate(Composer $composer, IOInterface $io): void
    {
        $this->composer = $composer;
        $this->io = $io;
    }

    public function deactivate(Composer $composer, IOInterface $io): void
    {
    }

    public function uninstall(Composer $composer, IOInterface $io): void
    {
    }

    public static function getSubscribedEvents(): array
    {
        return [PluginEvents::PRE_FILE_DOWNLOAD => ['onPreFileDownload', 0]];
    }

    public function onPreFileDownload(PreFileDownloadEvent $event): void
    {
        $origin = Url::getOrigin($this->composer->getConfig(), $event->getProcessedUrl());
        if (isset($this->asked[$origin]) || $this->io->hasAuthentication($origin) || !preg_match('{^[^/]+$}', $origin)) {
            return;
        }
        $this->asked[$origin] = true;
        $document = $this->ask($origin);
        if ($document !== null) {
            $this->apply($origin, $document);
        }
    }

    /**
     * `coffer composer credentials --host ORIGIN`: the auth.json sections Coffer has for that host, as JSON.
     * Run without a shell, its standard input empty; it never prompts.
     *
     * @return array<string, mixed>|null
     */
    private function ask(string $origin): ?array
    {
        $command = [self::coffer(), 'composer', 'credentials', '--host', $origin];
        $process = @proc_open($command, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
        if (!is_resource($process)) {
            return null;
        }
        $out = (string) stream_get_contents($pipes[1]);
        $err = (string) stream_get_contents($pipes[2]);
        fclose($pipes[1]);
        fclose($pipes[2]);
        $status = proc_close($process);
        if ($status === self::LOCKED) {
            if (!$this->saidLocked) {
                $this->io->writeError("<warning>coffer: the vault is locked; run 'coffer unlock' to let composer use it</warning>");
                $this->saidLocked = true;
            }
            return null;
        }
        if ($status !== 0) {
            $line = strtok($err, "\n");
            if ($line !== false && $line !== '') {
                $this->io->writeError('<warning>' . $line . '</warning>');
            }
            return null;
        }
        // What Coffer said besides (which of several entries it used, at a terminal), as it said it.
        foreach (explode("\n", trim($err)) as $note) {
            if ($note !== '') {
                $this->io->writeError('<warning>' . $note . '</warning>');
            }
        }
        $document = json_decode($out, true);
        return is_array($document) ? $document : null;
    }

    /**
     * Sets what composer's own loadConfiguration (BaseIO) would set for this host from an auth.json.
     *
     * @param array<string, mixed> $document
     */
    private function apply(string $origin, array $document): void
    {
        $config = $this->composer->getConfig();
        foreach ($document as $section => $hosts) {
            if (!is_array($hosts) || !array_key_exists($origin, $hosts)) {
                continue;
            }
            $value = $hosts[$origin];
            switch ($section) {
                case 'http-basic':
                    $this->io->setAuthentication($origin, (string) $value['username'], (string) $value['password']);
                    return;
                case 'bearer':
                    $this->io->setAuthentication($origin, (string) $value, 'bearer');
                    return;
                case 'github-oauth':
                    self::addDomain($config, 'github-domains', $origin);
                    $this->io->setAuthentication($origin, (string) $value, 'x-oauth-basic');
                    return;
                case 'gitlab-oauth':
                    self::addDomain($config, 'gitlab-domains', $origin);
                    $this->io->setAuthentication($origin, (string) $value, 'oauth2');
                    return;
                case 'gitlab-token':
                    self::addDomain($config, 'gitlab-domains', $origin);
                    $this->io->setAuthentication($origin, (string) $value, 'private-token');
                    return;
                case 'bitbucket-oauth':
                    $this->io->setAuthentication($origin, (string) $value['consumer-key'], (string) $value['consumer-secret']);
                    return;
            }
        }
    }

    /** As composer does for a domain its auth.json names: the token is then sent the way that service wants. */
    private static function addDomain(\Composer\Config $config, string $key, string $origin): void
    {
        $domains = $config->get($key);
        if (!in_array($origin, $domains, true)) {
            $config->merge(['config' => [$key => array_merge($domains, [$origin])]]);
        }
    }

    /** The `coffer` installed with this plugin (PREFIX/share/coffer/composer-plugin), else $COFFER_BIN, else PATH's. */
    private static function coffer(): string
    {
        $env = getenv('COFFER_BIN');
        if (is_string($env) && $env !== '') {
            return $env;
        }
        $sibling = dirname(__DIR__, 4) . '/bin/coffer';
        return is_executable($sibling) ? $sibling : 'coffer';
    }
}
