package store

import "errors"

// runMoveHelper is filled in by the migration tests.
func runMoveHelper(dir, folder string, hook func(Step)) error {
	return errors.New("no migration helper")
}
