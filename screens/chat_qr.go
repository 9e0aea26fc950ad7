package screens

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	qrcode "github.com/skip2/go-qrcode"
)

// chatQRSize is the side of the QR code image in pixels.
const chatQRSize = 320

// errNoChatLink is returned when neither the shop nor the desk knows the customer chat page.
var errNoChatLink = errors.New("screens: the shop has no customer chat link")

// chatLink is the shop's customer chat page (shop.ChatURL, else the server's /c/<shop>/), or
// a product's link on it when productID is set; "" when neither is known.
func (c *chatSection) chatLink(productID string) string {
	s, err := c.data.Shop(c.env.ctx)
	if err != nil {
		return ""
	}
	base := s.ChatURL
	if base == "" && c.serverURL != "" && s.ID != "" {
		base = strings.TrimRight(c.serverURL, "/") + "/c/" + url.PathEscape(s.ID) + "/"
	}
	if base == "" || productID == "" {
		return base
	}
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "product=" + url.QueryEscape(productID)
}

// qrPNG encodes a link as a QR code PNG.
func qrPNG(link string) ([]byte, error) {
	if link == "" {
		return nil, errNoChatLink
	}
	png, err := qrcode.Encode(link, qrcode.Medium, chatQRSize)
	if err != nil {
		return nil, fmt.Errorf("screens: QR code of %s: %w", link, err)
	}
	return png, nil
}

// showQR shows the QR code of the chat link (or of a product's link) with buttons to save the
// image and to copy the link.
func (c *chatSection) showQR(productID string) {
	if c.env.win == nil {
		return
	}
	link := c.chatLink(productID)
	png, err := qrPNG(link)
	if err != nil {
		dialog.ShowInformation(lang.X("chat.qr_code", "QR code"), lang.L("The shop has no customer chat link yet."), c.env.win)
		return
	}
	name := "kefu-chat-qr.png"
	if productID != "" {
		name = "kefu-product-" + productID + "-qr.png"
	}
	img := canvas.NewImageFromResource(fyne.NewStaticResource(name, png))
	img.FillMode = canvas.ImageFillContain
	img.SetMinSize(fyne.NewSquareSize(240))
	linkLabel := newWrapLabel(link)
	save := widget.NewButtonWithIcon(lang.X("chat.save_image", "Save image"), theme.DocumentSaveIcon(), func() {
		d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
			if err != nil || w == nil {
				return
			}
			_, werr := w.Write(png)
			if cerr := w.Close(); werr == nil {
				werr = cerr
			}
			if werr != nil {
				c.env.showError(werr)
			}
		}, c.env.win)
		d.SetFileName(name)
		d.Show()
	})
	copyBtn := widget.NewButtonWithIcon(lang.X("chat.copy_link", "Copy link"), theme.ContentCopyIcon(), func() { c.copyText(link) })
	body := container.NewBorder(nil, container.NewVBox(linkLabel, container.NewCenter(container.NewHBox(save, copyBtn))), nil, nil, img)
	title := lang.L("QR code of the chat link")
	if productID != "" {
		title = lang.L("QR code of the product link")
	}
	d := dialog.NewCustom(title, lang.L("Close"), body, c.env.win)
	d.Resize(fyne.NewSize(420, 480))
	d.Show()
}

// copyText puts text on the clipboard.
func (c *chatSection) copyText(text string) {
	if c.env.app != nil {
		c.env.app.Clipboard().SetContent(text)
	}
}
