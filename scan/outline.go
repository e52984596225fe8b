package scan

import "image"

// Corners returns the four corners of the code whose finder patterns have
// the centres outline holds, bottom left, top left and top right first (as
// Symbol.Outline and UnreadableError.Outline give them): the square they
// make, completed with its fourth corner and widened from the centres of
// the finder patterns to about the code's edge: by a quarter, which is
// where the edge is in a code 35 modules wide (version 4 or 5, what a
// compact code makes); a larger code's edge is a little farther out. It
// returns nil for fewer than three points.
func Corners(outline []image.Point) []image.Point {
	if len(outline) < 3 {
		return nil
	}
	bl, tl, tr := outline[0], outline[1], outline[2]
	br := bl.Add(tr).Sub(tl)
	centre := bl.Add(tr).Div(2)
	widen := func(p image.Point) image.Point {
		return centre.Add(p.Sub(centre).Mul(5).Div(4))
	}
	return []image.Point{widen(tl), widen(tr), widen(br), widen(bl)}
}
