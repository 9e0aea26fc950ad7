package screens

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"kefu/internal/sheet"
	"kefu/shop"
)

// saveExport asks where to save an export and saves it there: an Excel workbook by default
// (base + ".xlsx" is suggested), a CSV when the name given ends in .csv. build makes the table
// in the background once a name is picked (it may read the store: an order's notes); the
// file is written there too, and the message that follows names the folder and the file, with
// a button that opens the folder. A file that could not be written whole is removed again.
func saveExport(e *env, base string, build func(ctx context.Context) (sheet.Table, error)) {
	if e.win == nil {
		return
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			e.showError(err)
			return
		}
		if w == nil {
			return // cancelled
		}
		uri := w.URI()
		background(e, func(ctx context.Context) (int, error) {
			t, err := build(ctx)
			if err == nil {
				err = t.Write(w, sheet.FormatOf(uri.Name()))
			}
			if cerr := w.Close(); err == nil && cerr != nil {
				err = fmt.Errorf("closing %s: %w", uri.Name(), cerr)
			}
			if err != nil {
				_ = storage.Delete(uri) // half a file is worse than none
			}
			return len(t.Rows), err
		}, func(n int, err error) {
			if err != nil {
				e.showError(err)
				return
			}
			showExportSaved(e, n, uri)
		})
	}, e.win)
	d.SetFileName(base + sheet.XLSX.Ext())
	d.SetFilter(storage.NewExtensionFileFilter([]string{sheet.XLSX.Ext(), sheet.CSV.Ext()}))
	d.SetTitleText(lang.X("export.dialog_title", "Export as Excel (.xlsx), or name the file .csv for CSV"))
	d.SetConfirmText(lang.L("Export"))
	d.Resize(fyne.NewSize(820, 560))
	d.Show()
	translateFileDialog(e.win)
}

// exportBase is an export's suggested file name without extension: what it holds and when
// (shop time), e.g. orders-20261127-1530.
func exportBase(e *env, what string) string {
	return what + "-" + e.now().In(shop.ShopZone).Format("20060102-1504")
}

// exportSavedText says how many rows were saved, in which file and which folder.
func exportSavedText(rows int, path string) string {
	dir, name := filepath.Split(filepath.FromSlash(path))
	if len(dir) > 1 {
		dir = strings.TrimRight(dir, `/\`)
	}
	return pluralXf(rows, "export.saved", "%[1]d rows saved.\nFile: %[2]s\nFolder: %[3]s", rows, name, dir)
}

// showExportSaved tells where the export went, offering to open its folder (on a computer;
// a phone has no file manager to open).
func showExportSaved(e *env, rows int, uri fyne.URI) {
	body := widget.NewLabel(exportSavedText(rows, uri.Path()))
	body.Selectable = true // the folder's path can be copied
	title := lang.L("Export saved")
	dir, err := storage.Parent(uri)
	if err != nil || fyne.CurrentDevice().IsMobile() {
		dialog.ShowCustom(title, lang.L("OK"), body, e.win)
		return
	}
	dialog.ShowCustomConfirm(title, lang.X("export.open_folder", "Open folder"), lang.L("OK"), body, func(open bool) {
		if !open {
			return
		}
		if err := e.app.OpenURL(folderURL(dir.Path())); err != nil {
			e.showError(err)
		}
	}, e.win)
}

// folderURL is the file:// URL of a folder, which the system opens in its file manager
// (C:/Users/… becomes file:///C:/Users/…).
func folderURL(dir string) *url.URL {
	p := filepath.ToSlash(dir)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return &url.URL{Scheme: "file", Path: p}
}
