package picture

import "image"

// Grid lays n tiles out in box, for a call with several peers: the columns
// and rows that show a picture of aspect aspectW:aspectH largest in each
// tile, all tiles the same size, the last row's centred when it is not
// full. It returns the tiles in reading order; a picture is fitted into its
// tile (Fit) to keep its own aspect. One tile is box itself; none, or a box
// too small to share, gives nil.
func Grid(n, aspectW, aspectH int, box image.Rectangle) []image.Rectangle {
	if n <= 0 || box.Dx() < n || box.Dy() < 1 {
		return nil
	}
	if n == 1 {
		return []image.Rectangle{box}
	}
	if aspectW <= 0 || aspectH <= 0 {
		aspectW, aspectH = 4, 3
	}
	cols, best := 1, -1
	for c := 1; c <= n; c++ {
		rows := (n + c - 1) / c
		if (c-1)*rows >= n {
			continue // a column would stay empty: fewer columns do the same
		}
		fit := Fit(aspectW, aspectH, image.Rect(0, 0, box.Dx()/c, box.Dy()/rows))
		// Ties (a wide window's two tiles side by side or one above the
		// other) go to more columns: the self-view's corner stays clearer.
		if area := fit.Dx() * fit.Dy(); area >= best {
			cols, best = c, area
		}
	}
	rows := (n + cols - 1) / cols
	w, h := box.Dx()/cols, box.Dy()/rows
	// The grid is centred in box, as the pictures are in their tiles.
	x0 := box.Min.X + (box.Dx()-w*cols)/2
	y0 := box.Min.Y + (box.Dy()-h*rows)/2
	tiles := make([]image.Rectangle, 0, n)
	for i := range n {
		row, col := i/cols, i%cols
		x := x0 + col*w
		if last := n - row*cols; last < cols {
			x += (cols - last) * w / 2
		}
		tiles = append(tiles, image.Rect(x, y0+row*h, x+w, y0+row*h+h))
	}
	return tiles
}
