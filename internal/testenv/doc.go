// Package testenv is the harness of credwiz's binary-level tests (the
// integrity tests, the fault tests and the end-to-end tests): the tests
// that run the real credwiz binary as a child process, as an operator or
// a script would, against the vendor emulators of
// connectors/connectortest (loopback only) and a real secret store.
//
// What it gives a test:
//
//   - Binary builds the credwiz binary once per test process and build tag
//     set (HookTag adds the store's pause hook); BuildBinary does it for a
//     TestMain. CREDWIZ_TEST_BINARY=PATH tests that binary instead, for
//     example an older commit's build.
//   - New makes a Sandbox per test: its own config dir, HOME and TMPDIR,
//     the keychain, the encrypted file store or another store, and an
//     environment that holds nothing of the developer's (no CREDWIZ_*,
//     VAULT_*, proxies or D-Bus address but the private one; InheritedEnv
//     passes the rest of the test process's environment instead).
//   - Sandbox.Run, Must and Start run a command with stdin, extra
//     environment and a timeout, and return its exit code, stdout, stderr,
//     its duration, the signal that ended it and its CPU time
//     (Sandbox.Watch sees every process started); Sandbox.KillAt and
//     Proc.WaitPaused stop a hook build at a store step
//     (CREDWIZ_TEST_PAUSE_AT, CREDWIZ_TEST_PAUSE_N) and SIGKILL it there.
//   - StartKeyring starts a private Secret Service (gnome-keyring on a
//     D-Bus bus of its own, with scripts/secret-service.sh; NewKeyring
//     for a TestMain), and Keyring reads and writes its items over
//     D-Bus, owner attributes included (KeyringAt for a bus started
//     elsewhere), or looks one up with secret-tool as a person would
//     (LookupItem).
//   - FileItems reads the encrypted file store independently of the store
//     package: it unwraps the store's identity (secrets/identity.age) with
//     the sandbox's passphrase in a process of its own
//     (internal/testenv/ageidentity: scrypt under the race detector would
//     take ten seconds), once per identity for the whole test process,
//     and decrypts each item file (SERVICE.ACCOUNT.age) with it, the
//     owner taken from the item's credwiz-item header stanza.
//   - CopyDir saves and restores a config dir, secrets directory included;
//     Snapshot and DiffSnapshots record and compare a directory tree.
//   - WatchDir counts the renames into a directory (inotify).
//   - ReadIndex and ParseIndex parse credentials.json strictly,
//     independently of the store package.
//   - Emulator and MarkedFront start vendor emulators with latency and
//     rate-limit knobs, and a front that accepts values carrying a test
//     marker ("secret~rev-17" is the secret "secret").
//   - Tmpfs, Filler and OpenGate make a small file system run out of
//     space exactly when a process opens its k-th new file in a directory
//     tree (root only).
//
// Keychain, tmpfs and fanotify need Linux and, for the last two, root;
// off Linux only Binary, BuildBinary, Main, Require, the sandbox and its
// runs, the item, index and snapshot readers and the D-Bus and
// secret-tool clients build (StartKeyring skips there).
// Where they are missing a test skips with a loud message; with
// CREDWIZ_REQUIRE_KEYCHAIN=1 (CI) it fails instead (Require).
//
// A test package using testenv runs its TestMain through Main, which
// removes the binaries built and stops the Secret Services started:
//
//	func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }
package testenv
