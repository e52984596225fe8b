// Package transfer sends files and directories between the two peers of a
// call, each on a data channel of its own, and saves what arrives safely.
//
// The sender offers a name, a size and a kind (a file, or a directory sent
// as a tar stream); the receiver's Accept hook says yes or no; the data
// follows in chunks, then the SHA-256 of everything sent. The receiver writes
// into a ".part" file (or directory) beside the final name and renames it
// only once the checksum matches, so a cancelled, cut or corrupted transfer
// never leaves a half file under the final name. Names from the peer are
// sanitized (SanitizeName) and never overwrite anything.
//
// A transfer knows nothing of terminals or flags. The sender opens a channel
// and hands it to Send; the receiver hands each channel the peer opens with
// Label to Receive, from inside OnDataChannel:
//
//	// sender
//	dc, _ := pc.CreateDataChannel(transfer.Label, nil)
//	res, err := transfer.Send(ctx, dc, "photo.jpg", transfer.SendOptions{})
//
//	// receiver
//	pc.OnDataChannel(func(dc *webrtc.DataChannel) {
//		if dc.Label() == transfer.Label {
//			in := transfer.Receive(ctx, dc, transfer.ReceiveOptions{Dir: ".", Accept: ask})
//			go func() { res, err := in.Wait(); ... }()
//		}
//	})
//
// Tune sets what makes transfers fast (larger UDP socket buffers, SCTP's
// zero checksum) on the call's SettingEngine; both peers should use it.
package transfer
