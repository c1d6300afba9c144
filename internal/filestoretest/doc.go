// Package filestoretest tests the encrypted file store through the real
// binary, built with the credwiz_testhooks tag: migrations killed with
// SIGKILL at every step, unlock, lock and expiry with the kernel keyring,
// the passphrase at a terminal (tmux) and from the environment, SSH
// identities, the conversion of the older single file, parallel writers,
// and the messages that say why no keychain answered. It holds only
// tests.
package filestoretest
