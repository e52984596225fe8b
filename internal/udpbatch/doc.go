// Package udpbatch sends and receives a UDP socket's datagrams in batches,
// under a program that writes and reads them one at a time, as pion's ICE
// does.
//
// pion writes each packet of a call in a system call of its own: 1.2 kB
// of SCTP for a file, so some 880 calls for each MiB sent, and as many
// reads on the other side. A Conn takes each write into a queue and
// returns; a goroutine of its own sends what has queued meanwhile in one
// call. Consecutive packets of one size to one address go as one buffer
// that the kernel cuts into datagrams (UDP generic segmentation offload,
// UDP_SEGMENT), which costs about what one packet costs. Nothing waits for
// company: a lone packet is sent as soon as that goroutine runs, and a
// burst forms only from what was written while the previous send was
// under way. On the receiving side the kernel may join consecutive
// datagrams of one flow into one (UDP_GRO, as a sender's segmentation does
// on loopback); ReadFrom hands them out one at a time, as they were sent.
//
// Where the kernel refuses segmentation (a path through IPsec, a socket
// without checksums, an old kernel), a Conn sends packet by packet; where
// it has no UDP_GRO, reads are the socket's own. Wrap returns anything but
// a *net.UDPConn on Linux as it is: pion's virtual network, a TURN
// relay's connection.
package udpbatch
