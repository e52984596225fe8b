package offline_test

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/pigeon-call/pigeon/offline"
)

func ExampleEncode() {
	sdp := "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
	code, err := offline.Encode(offline.Signal{Kind: offline.Offer, SDP: sdp})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(code)
	// Output: pg1o.KrM14OXKt9VVMFQwVPD0U_AMMFEw0ANDXq5iW11erhJbAwUDXi5AAAAA___OO0Fz
}

func ExampleReadSignal() {
	// What a person pastes: a code their peer wrapped and quoted in a chat,
	// followed by a chat line that the caller reads next.
	pasted := "> pg1a.KrM14OXKt9VVMFQwVPD0U_AMMFEw0ANDXq5iW11erhJbA\n" +
		"> wUDXi5AAAAA___OO0Fz\n" +
		"see you!\n"
	r := bufio.NewReader(strings.NewReader(pasted))

	answer, err := offline.ReadSignal(r, offline.Answer)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s of %d bytes\n", answer.Kind, len(answer.SDP))

	chat, _ := r.ReadString('\n')
	fmt.Print(chat)

	_, err = offline.ReadSignal(bufio.NewReader(strings.NewReader(pasted)), offline.Offer)
	fmt.Println(err)
	// Output:
	// answer of 41 bytes
	// see you!
	// this is an answer, but an offer was expected: paste the code your peer's `pigeon call` printed
}
