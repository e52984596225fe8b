// Package udpbatch sends and receives a UDP socket's datagrams in batches,
// under a program that writes and reads them one at a time, as pion's ICE
// does.
//
// pion writes each packet of a call in a system call of its own, and a
// file moves in packets of 1.2 kB: as many system calls each way. A Conn
// takes each write into a queue and returns; a goroutine of its own sends
// what has queued in one call. Consecutive packets of one size to one
// address go as one buffer that the kernel cuts into datagrams (UDP
// generic segmentation offload, UDP_SEGMENT), which costs about what one
// packet costs. The first packet after a pause is sent as soon as that
// goroutine runs; in a stream, the goroutine lets the writer add what it
// is making before it sends (gather), for a short while and only while
// the queue grows. On the receiving side the kernel may join consecutive
// datagrams of one flow into one (UDP_GRO, as a sender's segmentation does
// on loopback); ReadFrom hands them out one at a time, as they were sent.
//
// Where the kernel refuses segmentation (a path through IPsec, a socket
// without checksums, an old kernel), a Conn sends packet by packet; where
// it has no UDP_GRO, reads are the socket's own. Wrap returns anything but
// a *net.UDPConn on Linux as it is: pion's virtual network, a TURN
// relay's connection.
package udpbatch
