// Package vaultkv keeps credwiz's credentials in a HashiCorp Vault (or
// OpenBao) KV version 2 secrets engine.
//
// A Client reads its server, token and TLS settings the way the vault CLI
// does (VAULT_ADDR, VAULT_TOKEN or ~/.vault-token, VAULT_NAMESPACE,
// VAULT_CACERT and the other VAULT_* variables of github.com/hashicorp/vault/api,
// or an AppRole login from VAULT_ROLE_ID and VAULT_SECRET_ID), and keeps
// every key under one folder, <mount>/<path>/<key> (by default
// secret/credwiz/<key>).
//
// Every request is bounded by the Client's timeout, retries included.
// Every failure is an *Error whose Kind says what went wrong (sealed,
// unreachable, permission denied, a concurrent change, ...) and whose
// message says what to do next; no error text holds a secret value.
//
// Writes use KV v2 check-and-set, and record who wrote each version (see
// Write), so that a teammate's concurrent change is reported, never
// overwritten, and Versions can tell who changed which fields.
package vaultkv
