// Command agedecrypt prints the plaintext of an age file encrypted with a
// passphrase, for credwiz's tests: they read the encrypted file store
// without credwiz's store package, and in a process of its own, because
// the race detector they run under makes scrypt about eight times slower.
//
//	CREDWIZ_PASSPHRASE=… agedecrypt FILE
//
// The passphrase comes from the environment, never the command line.
package main

import (
	"fmt"
	"io"
	"os"

	"filippo.io/age"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: CREDWIZ_PASSPHRASE=… agedecrypt FILE")
		os.Exit(2)
	}
	if err := decrypt(os.Args[1], os.Getenv("CREDWIZ_PASSPHRASE")); err != nil {
		fmt.Fprintln(os.Stderr, "agedecrypt:", err)
		os.Exit(1)
	}
}

func decrypt(path, passphrase string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	id, err := age.NewScryptIdentity(passphrase)
	if err != nil {
		return err
	}
	r, err := age.Decrypt(f, id)
	if err != nil {
		return err
	}
	_, err = io.Copy(os.Stdout, r)
	return err
}
