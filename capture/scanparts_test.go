package capture

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/pigeon-call/pigeon/offline"
	"github.com/pigeon-call/pigeon/scan"
)

// TestPicturedPartsAreRead shows the QR codes of parts of long codes as a
// --video image:FILE source shows them, pigeon's --qr-png drawing laid out
// in a 640x480 frame, and reads each with the scanner's decoder. These
// parts (of random codes) were each unreadable upright: the picture does
// not change, so a call whose code held one never got past the scan.
func TestPicturedPartsAreRead(t *testing.T) {
	parts := []string{
		"P1/5:PG1A.2SEO5A/RHKAK1LBKAQX051ARTM3W1TV26Y:QJ87S3P2VJ:L1516JE34VOB61:$XSCVTANOTP/SG$JBQ$QB1VRIXWKQSV8BVVKAMI$HALN8KTGJB$G36O914NFRQ-*6JOH%-VIS68OFXWJY+ME6EZRXI71OGO6D7DHJ4TR3VQTCAWX4BC67%9ZK3R+DKY3UTWF4E-PU/%D8MUB77FU8W80:SOER96DU%YB%6CW0FLW8%",
		"P2/5:7NVEK*9L5S9NDL0A1%.KYB2-ZKGPK.*5./IDS2ND17AJ.DMA4PRQHACE0JL:YD*UA/UGNY4D9408N3KUN%5K8MY%JG.CIOC1DIKLQ/X9C+VBN2%YOK8B+90AKTGRNMEMLZBJTVTFG*Z10BOA$5--O5L1XL4$R7DO57P9IRBBKR:MXNHEZR4CKL:SA-BN1J1$E7.6CID79KH61M-CRTLCM8RDXEJ2J.5HYF0VNR2ITCE3*WI2",
		"P3/5:TM9Q81RV$/K$7QCPLLX9Z8O$PNEMEDTD3/7.JLTY57/35A47TFRPFB8KQVPUEXFAIR29DM2%V5C3MOS4J8L8T9Q6NDK4CFVWP3EJE%+C2I4PT9T/TO.LY-MQUW-9WF6DCR5D.JB*F.TV*6HK/8D2J/%U/X8O7K/$XKVC:OU7MBIKM0EQIERZ5M62X-%2BSXPOWHN6O-KYJKU$0LWIN:V4AJ9%8QKC75O*26H1LK87MYQLQ7Z",
		"P4/5:YJFDEZ00XKUQI1*1E1FRN9QJDTAQ4U8SHSVJ/53-B$C2S*AULKZ81M954U8G.N28I.FF:H5IBQRHDWB7WKRO8NG1E-I99B4VUH$BO7+W3D983GMFB8V1AVS-HM8JJH+POEIVD45JIC23D4ET5P7F9B+CPLTMY2DUDX7AIHLLWU$MPV7J%QLY+PEK01G2ZGH%0S1FIKD9%1FVWH/IRH%1CSO61C*171AUTCX9UC6*JDSDMTG6",
	}
	path := filepath.Join(t.TempDir(), "part.png")
	for _, part := range parts {
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := offline.WriteQRPNG(f, part, 8); err != nil {
			t.Fatal(err)
		}
		f.Close()
		v := NewImageVideo(path, 640, 480, 30)
		img, _, err := v.Read()
		v.Close()
		if err != nil {
			t.Fatal(err)
		}
		sym, err := scan.Decode(img)
		if err != nil {
			t.Errorf("%.5s: %v", part, err)
			continue
		}
		if sym.Text != part {
			t.Errorf("%.5s read as %q", part, sym.Text)
		}
		for _, p := range sym.Outline {
			if !p.In(img.Bounds()) {
				t.Errorf("%.5s: outline point %v outside the frame", part, p)
			}
		}
	}
}
