//go:build ignore

// gen_icon draws icon.png: the character 客 in white, from the bundled Noto
// Sans CJK SC Bold subset, on a calm blue rounded square, 256×256 pixels.
// Run from the assets directory: go run gen_icon.go
package main

import (
	"image"
	"image/color"
	"image/png"
	"log"
	"os"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

const (
	size   = 256
	radius = 56 // corner radius of the square, in pixels
	glyph  = "客"
)

var (
	blue  = color.NRGBA{R: 0x2F, G: 0x6F, B: 0xC8, A: 0xFF}
	white = color.NRGBA{R: 0xFF, G: 0xFF, B: 0xFF, A: 0xFF}
)

func main() {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	drawRoundedSquare(img)
	if err := drawGlyph(img); err != nil {
		log.Fatal(err)
	}
	f, err := os.Create("icon.png")
	if err != nil {
		log.Fatal(err)
	}
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(f, img); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}

// drawRoundedSquare fills the whole image with an anti-aliased rounded
// square, by 8×8 supersampling of each pixel.
func drawRoundedSquare(img *image.NRGBA) {
	const ss = 8
	inside := func(x, y float64) bool {
		cx := clamp(x, radius, size-radius)
		cy := clamp(y, radius, size-radius)
		dx, dy := x-cx, y-cy
		return dx*dx+dy*dy <= radius*radius
	}
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			n := 0
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					if inside(float64(px)+(float64(sx)+0.5)/ss, float64(py)+(float64(sy)+0.5)/ss) {
						n++
					}
				}
			}
			c := blue
			c.A = uint8(n * 255 / (ss * ss))
			img.SetNRGBA(px, py, c)
		}
	}
}

func clamp(v, lo, hi float64) float64 {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// drawGlyph draws the character in white, centred on its ink bounds.
func drawGlyph(img *image.NRGBA) error {
	data, err := os.ReadFile("fonts/NotoSansCJKsc-Bold-subset.otf")
	if err != nil {
		return err
	}
	f, err := opentype.Parse(data)
	if err != nil {
		return err
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: 168, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		return err
	}
	defer face.Close()
	d := &font.Drawer{Dst: img, Src: image.NewUniform(white), Face: face}
	b, _ := d.BoundString(glyph)
	w, h := b.Max.X-b.Min.X, b.Max.Y-b.Min.Y
	d.Dot = fixed.Point26_6{
		X: fixed.I(size)/2 - w/2 - b.Min.X,
		Y: fixed.I(size)/2 - h/2 - b.Min.Y,
	}
	d.DrawString(glyph)
	return nil
}
