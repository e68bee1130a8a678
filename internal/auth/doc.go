// Package auth keeps who may sign in to `conflux serve` and proves who is
// asking: users with a role (and, for a lead, the clients and teams they may
// see), passwords hashed with bcrypt, sessions and API tokens stored only as
// hashes, limits on sign-in attempts, sign-in through OpenID Connect, and
// the audit log. Everything lives in the warehouse's meta schema, which no
// user query can read.
package auth
