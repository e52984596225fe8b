// Package trust keeps what lets pigeon recognise a peer from one call to
// the next: a long-lived certificate of one's own (an identity), and the
// certificate fingerprints of the peers one has called, trusted on first
// use the way ssh's known_hosts is.
//
// A pigeon without an identity makes a new certificate for every call, so
// its fingerprint says nothing beyond the call; with one, the fingerprint
// names the person, and a known-peers file notices when it changes: someone
// else answering in their name, or a new machine of theirs.
package trust
