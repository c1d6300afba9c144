// Package integritytest proves credwiz's write protocol through the real
// binary, on a real Secret Service (a private gnome-keyring) and on the
// encrypted file store: no write may lose a secret, undo another
// command, or certify values it never tested.
//
// Its tests (all in _test files; this file only documents them):
//
//   - repro_test.go: each way credwiz once lost or misrecorded state, as a
//     reproduction that failed on the code before the protocol (an edit's
//     secret written before its metadata, doctor --fix deleting another
//     config dir's item, races between two commands on one credential, a
//     pass kept after an untested change, a lock wait that ignored
//     signals, test --all recording each result on its own).
//   - kill_test.go: SIGKILL at every store step of add, edit (with and
//     without rename), reauth, rm, the recording of test results and
//     tokens, and doctor --fix, then at random moments; after each kill
//     every credential's metadata and secret are one pair (a marker in
//     the client ID and the same marker in the secret), the state is
//     exactly the one before or the one after the command, nothing of
//     another config dir sharing the keychain changed, doctor reports
//     every leftover and doctor --fix removes it, and secret-tool finds
//     each credential's current secret map.
//   - diskfull_test.go: the config dir on a small tmpfs that fills up
//     right before each file write of a command in turn.
//   - history_test.go: random concurrent histories of add, edit, reauth,
//     rm, test and token with random kills, checked for linearizability
//     with porcupine against a model of the credential map.
//   - bench_test.go: test --all CPU per credential and wall time against
//     the latency floor.
//
// -short runs fewer kills, steps and histories. Keychain tests need a
// Secret Service (gnome-keyring, dbus-daemon, secret-tool); disk-full
// tests need root. Both skip loudly without, and fail under
// CREDWIZ_REQUIRE_KEYCHAIN=1.
//
//	go test -count=1 ./internal/integritytest/
package integritytest
