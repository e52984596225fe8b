// Command pigeon makes serverless video calls: the offer and the answer
// travel as text or QR codes, by any means the two people have.
package main

import "github.com/pigeon-call/pigeon/cmd"

func main() {
	cmd.Execute()
}
