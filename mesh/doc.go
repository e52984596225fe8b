// Package mesh joins the sessions of a call of several people into a full
// mesh: each participant has a session (call.Session) with every other,
// and sends its media to each.
//
// Only the first code exchange of each newcomer is carried by hand: the
// person who invites (the introducer) makes an offer code, the newcomer
// answers it as in a call of two. Once the newcomer's session with the
// introducer is up, the introducer tells the others who joined and tells
// the newcomer who is there (and so for each of its peers whose session
// comes up after the newcomer's); each of the others then offers a session to
// the newcomer, and the offer and the answer are relayed by the
// introducer, on the group channel of its two sessions (Session.SendGroup),
// with no code to carry.
//
// A participant is known by the SHA-256 fingerprint of its certificate,
// which all its sessions show (call.NewCertificate): the introducer, who
// has a live connection to both sides, vouches for it. The rules that keep
// one participant from passing for another:
//
//   - a description is relayed only by the introducer of its pair, and is
//     taken only from the introducer that announced its sender, once, for
//     a sender this side has no session with;
//   - its fingerprint must be the one announced, and the connection's live
//     certificate must be too (DTLS proves the key behind it);
//   - a newcomer announced with the fingerprint of a participant already in
//     the call, or of this side, is refused;
//   - the relayer names the sender from the session a description came on,
//     never from what the message says;
//   - a name is what each participant gives over its own session.
//
// What it cannot prove: that the introducer did not put itself in the
// middle of a pair it introduced (it announces the fingerprints). The
// pair's safety number, read between its two people, shows that.
//
// A mesh sends every participant's media to every other: the upload grows
// with each person, and the call holds MaxPeople at most.
package mesh
