package screens

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kefu/desk"
)

// ImportData is what the import dialog needs from the desk: whether the server can be
// reached, and the import itself (a dry run, then the real one).
type ImportData interface {
	ImportOnline() bool
	Import(ctx context.Context, path string, dryRun bool, progress func(sent, total int64)) (desk.ImportResult, error)
}

// importShown is how many refusals of a file the dialog lists (the saved CSV has them all).
const importShown = 3

// importRowsShown and importColsShown are how much of a file's first rows the dialog shows.
const (
	importRowsShown = 3
	importColsShown = 6
)

// importDialog is the "Import…" dialog of owners and managers: files are added one by one
// and checked at once by a dry run (detected format, first rows, counts, refusals); "Import
// N rows" then sends them for real, with a progress bar, and the summary replaces the dry
// run's counts. Refused rows can be saved as a CSV with an error column, and Kefu's templates
// downloaded. The server does the import: offline, the dialog says it needs the server.
type importDialog struct {
	env  *env
	data ImportData
	// open asks for a file to import and gives its path; save asks where to save a file
	// named name and gives a writer (closed by the caller) and where it is. Both are Fyne's
	// file dialogs; tests give their own.
	open func(done func(path string))
	save func(name string, done func(w io.WriteCloser, where string))

	item      *railItem // the rail's entry that opens the dialog
	dlg       dialog.Dialog
	list      *fyne.Container
	scroll    *container.Scroll // scrolls list
	msg       *wrapLabel
	progress  *widget.ProgressBar
	add       *widget.Button
	run       *widget.Button
	templates *widget.Button

	files []*importEntry
	busy  bool // the import runs
}

// importEntry is one file of the dialog: its dry run, and its import once it ran.
type importEntry struct {
	path     string
	checking bool
	dry      desk.ImportResult
	err      error
	done     *desk.ImportResult // the import's result; nil until imported
	lost     bool               // the import did not reach the server
}

// result is what the entry shows: the import's result once it ran, else the dry run's.
func (e *importEntry) result() desk.ImportResult {
	if e.done != nil {
		return *e.done
	}
	return e.dry
}

// ready reports whether the entry's dry run went through and it waits to be imported.
func (e *importEntry) ready() bool { return !e.checking && e.err == nil && e.done == nil }

// toImport is the number of rows the entry's import would apply.
func (e *importEntry) toImport() int { return max(e.dry.Rows-e.dry.Refused, 0) }

func newImportDialog(e *env, data ImportData) *importDialog {
	d := &importDialog{env: e, data: data}
	d.open = d.fyneOpen
	d.save = d.fyneSave
	return d
}

// withRail puts the rail's "Import…" entry below the sections of rail.
func (d *importDialog) withRail(rail fyne.CanvasObject) *fyne.Container {
	d.item = newRailItem(lang.X("import.rail", "Import"), theme.UploadIcon(), d.show)
	bottom := container.NewStack(newThemedRect(theme.ColorNameHeaderBackground), container.NewPadded(d.item))
	return container.NewBorder(nil, bottom, nil, nil, rail)
}

// show opens the dialog, or says that importing needs the server.
func (d *importDialog) show() {
	if d.env.win == nil {
		return
	}
	if !d.data.ImportOnline() {
		dialog.ShowInformation(lang.X("import.title", "Import shop data"), needsServerText(), d.env.win)
		return
	}
	d.files = nil
	d.busy = false
	intro := newWrapLabel(lang.X("import.intro",
		"Add the files your platform exported (Taobao order and item reports, 淘宝助理, Shopify, WooCommerce, an ERP's stock sheet) or a filled-in Kefu template.\nEach file is checked first; nothing is written until you import."))
	d.add = widget.NewButtonWithIcon(lang.X("import.add", "Add file…"), theme.ContentAddIcon(), func() { d.open(d.addFile) })
	d.templates = widget.NewButtonWithIcon(lang.X("import.templates", "Download a template…"), theme.DownloadIcon(), d.templateMenu)
	d.list = container.NewVBox()
	d.msg = newWrapLabel("")
	d.progress = widget.NewProgressBar()
	d.progress.Hide()
	d.run = widget.NewButtonWithIcon("", theme.UploadIcon(), d.onImport)
	d.run.Importance = widget.HighImportance
	top := container.NewVBox(intro, container.NewHBox(d.add, d.templates))
	bottom := container.NewVBox(d.progress, container.NewBorder(nil, nil, nil, d.run, d.msg))
	d.scroll = container.NewVScroll(d.list)
	content := container.NewBorder(top, bottom, nil, nil, d.scroll)
	d.dlg = dialog.NewCustom(lang.X("import.title", "Import shop data"), lang.X("import.close", "Close"), content, d.env.win)
	d.redraw()
	size := fyne.NewSize(1000, 900)
	if win := d.env.win.Canvas().Size(); win.Width > 400 && win.Height > 300 {
		size = fyne.NewSize(min(size.Width, win.Width-60), min(size.Height, win.Height-40))
	}
	d.dlg.Resize(size)
	d.dlg.Show()
}

// needsServerText says that importing needs the store server.
func needsServerText() string {
	return lang.X("import.needs_server",
		"Importing needs the store server, and the desk cannot reach it now. Connect (the status bar shows when the desk is online) and try again; nothing was imported.")
}

// addFile adds a file and checks it with a dry run.
func (d *importDialog) addFile(path string) {
	for _, f := range d.files {
		if f.path == path {
			return
		}
	}
	f := &importEntry{path: path, checking: true}
	d.files = append(d.files, f)
	d.msg.SetText("")
	d.redraw()
	background(d.env, func(ctx context.Context) (desk.ImportResult, error) {
		return d.data.Import(ctx, path, true, nil)
	}, func(r desk.ImportResult, err error) {
		f.checking, f.dry, f.err = false, r, err
		if errors.Is(err, desk.ErrNeedsServer) {
			d.lostServer()
			return
		}
		d.redraw()
	})
}

// lostServer drops the files not imported yet: without the server nothing can be checked or
// imported, and the dialog keeps nothing half done.
func (d *importDialog) lostServer() {
	kept := d.files[:0]
	for _, f := range d.files {
		if f.done != nil {
			kept = append(kept, f)
		}
	}
	d.files = kept
	d.msg.SetText(needsServerText())
	d.redraw()
}

// remove takes a file off the list.
func (d *importDialog) remove(f *importEntry) {
	for i, x := range d.files {
		if x == f {
			d.files = append(d.files[:i], d.files[i+1:]...)
			break
		}
	}
	d.redraw()
}

// rowsToImport is how many rows "Import N rows" sends.
func (d *importDialog) rowsToImport() int {
	n := 0
	for _, f := range d.files {
		if f.ready() {
			n += f.toImport()
		}
	}
	return n
}

// redraw rebuilds the file list and the import button from the entries.
func (d *importDialog) redraw() {
	objs := make([]fyne.CanvasObject, 0, 2*len(d.files))
	for i, f := range d.files {
		if i > 0 {
			objs = append(objs, widget.NewSeparator())
		}
		objs = append(objs, d.entryView(f))
	}
	if len(d.files) == 0 {
		objs = append(objs, newCaption(lang.X("import.no_files", "No files yet: add the files to import.")))
	}
	d.list.Objects = objs
	d.list.Refresh()
	n := d.rowsToImport()
	d.run.SetText(pluralXf(n, "import.run", "Import %d rows", n))
	checking := false
	for _, f := range d.files {
		checking = checking || f.checking
	}
	if n == 0 || d.busy || checking {
		d.run.Disable()
	} else {
		d.run.Enable()
	}
	if d.busy {
		d.add.Disable()
	} else {
		d.add.Enable()
	}
}

// entryView is one file: name, format, counts, first rows and refusals.
func (d *importDialog) entryView(f *importEntry) fyne.CanvasObject {
	name := widget.NewLabelWithStyle(filepath.Base(f.path), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	remove := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { d.remove(f) })
	if d.busy {
		remove.Disable()
	}
	r := f.result()
	format := newCaption(joinNonEmpty(" · ", r.Label, r.Encoding))
	objs := []fyne.CanvasObject{container.NewBorder(nil, nil, name, remove, format)}
	switch {
	case f.checking:
		objs = append(objs, newCaption(lang.X("import.checking", "Checking the file (dry run)…")))
		return container.NewVBox(objs...)
	case f.err != nil:
		l := newWrapLabel(importErrorText(f.err))
		l.Importance = widget.DangerImportance
		return container.NewVBox(append(objs, l)...)
	}
	counts := widget.NewLabel(importCounts(r, f.done != nil))
	counts.TextStyle.Bold = f.done != nil
	if f.lost {
		counts.SetText(lang.X("import.not_sent", "Not imported: the connection to the server was lost."))
		counts.Importance = widget.DangerImportance
	}
	objs = append(objs, counts)
	if len(r.Header) > 0 && f.done == nil {
		objs = append(objs, previewTable(r.Header, r.Preview))
	}
	for i, rf := range r.Refusals {
		if i == importShown {
			objs = append(objs, newCaption(pluralXf(r.Refused-importShown, "import.more_refused", "… and %d more refused rows", r.Refused-importShown)))
			break
		}
		l := newWrapLabel(fmt.Sprintf(lang.X("import.refusal", "Line %d · %s: %s"), rf.Line, rf.Column, rf.Reason))
		l.Importance = widget.WarningImportance
		objs = append(objs, l)
	}
	if r.Error != "" {
		l := newWrapLabel(r.Error)
		l.Importance = widget.DangerImportance
		objs = append(objs, l)
	}
	if len(r.Refusals) > 0 {
		save := widget.NewButtonWithIcon(lang.X("import.save_refused", "Save refused rows…"), theme.DocumentSaveIcon(), func() { d.saveRefused(f) })
		objs = append(objs, container.NewHBox(save))
	}
	return container.NewVBox(objs...)
}

// importCounts is a file's counts: "120 rows: 100 new, 15 changed, 3 unchanged, 2 refused".
func importCounts(r desk.ImportResult, done bool) string {
	format := lang.X("import.counts_dry", "Dry run, rows: %d — %d new, %d changed, %d unchanged, %d refused")
	if done {
		format = lang.X("import.counts_done", "Imported, rows: %d — %d new, %d changed, %d unchanged, %d refused")
	}
	return fmt.Sprintf(format, r.Rows, r.New, r.Changed, r.Unchanged, r.Refused)
}

// importErrorText is why a file could not be checked or imported, in words to act on.
func importErrorText(err error) string {
	switch {
	case errors.Is(err, desk.ErrNeedsServer):
		return needsServerText()
	case errors.Is(err, desk.ErrImportRefused):
		msg := err.Error()
		if i := strings.Index(msg, desk.ErrImportRefused.Error()+": "); i >= 0 {
			msg = msg[i+len(desk.ErrImportRefused.Error())+2:]
		}
		return fmt.Sprintf(lang.X("import.refused", "The server cannot import this file: %s"), msg)
	}
	return fmt.Sprintf(lang.X("import.failed", "The file could not be read: %v"), err)
}

// previewTable shows a file's header and first rows: the first importColsShown columns,
// each cell on one line, ending in … when it does not fit.
func previewTable(header []string, rows [][]string) fyne.CanvasObject {
	cols := min(len(header), importColsShown)
	cells := make([]fyne.CanvasObject, 0, cols*(len(rows)+1))
	for c := range cols {
		cells = append(cells, newHeading(header[c]))
	}
	for _, row := range rows[:min(len(rows), importRowsShown)] {
		for c := range cols {
			text := ""
			if c < len(row) {
				text = previewCell(row[c])
			}
			cells = append(cells, newTruncLabel(text))
		}
	}
	grid := container.NewGridWithColumns(cols, cells...)
	if more := len(header) - cols; more > 0 {
		return container.NewVBox(grid, newCaption(pluralXf(more, "import.more_columns", "… and %d more columns", more)))
	}
	return grid
}

// previewCell is a cell of a file as the import reads it: Taobao's ="2026…" (a bare formula
// that keeps Excel from rounding the number) shows as 2026…, quotes inside undoubled.
func previewCell(s string) string {
	t := strings.TrimSpace(s)
	if len(t) >= 3 && strings.HasPrefix(t, `="`) && strings.HasSuffix(t, `"`) {
		return strings.ReplaceAll(t[2:len(t)-1], `""`, `"`)
	}
	return s
}

// onImport sends the checked files for real, one after the other, the progress bar following
// the bytes sent; the results come back in one hand-over.
func (d *importDialog) onImport() {
	var queued []*importEntry
	for _, f := range d.files {
		if f.ready() && f.toImport() > 0 {
			queued = append(queued, f)
		}
	}
	if len(queued) == 0 || d.busy {
		return
	}
	d.busy = true
	d.progress.SetValue(0)
	d.progress.Show()
	d.msg.SetText(pluralXf(len(queued), "import.running", "Importing %d files…", len(queued)))
	d.redraw()
	type outcome struct {
		results []*desk.ImportResult
		errs    []error
	}
	paths := make([]string, len(queued))
	for i, f := range queued {
		paths[i] = f.path
	}
	background(d.env, func(ctx context.Context) (outcome, error) {
		out := outcome{results: make([]*desk.ImportResult, len(paths)), errs: make([]error, len(paths))}
		for i, p := range paths {
			shown := -1
			r, err := d.data.Import(ctx, p, false, func(sent, total int64) {
				pct := (100*i + int(100*sent/max(total, 1))) / len(paths)
				if pct != shown {
					shown = pct
					d.env.threads.Do(func() { d.progress.SetValue(float64(pct) / 100) })
				}
			})
			if err != nil {
				out.errs[i] = err
				if errors.Is(err, desk.ErrNeedsServer) {
					for j := i + 1; j < len(paths); j++ {
						out.errs[j] = err
					}
					break
				}
				continue
			}
			out.results[i] = &r
		}
		return out, nil
	}, func(out outcome, _ error) {
		d.busy = false
		d.progress.SetValue(1)
		var sum desk.ImportResult
		imported, lost := 0, 0
		for i, f := range queued {
			switch err := out.errs[i]; {
			case errors.Is(err, desk.ErrNeedsServer):
				f.lost = true
				lost++
			case err != nil:
				f.err = err
			default:
				f.done, f.lost = out.results[i], false
				imported++
				r := f.done
				sum.Rows, sum.New, sum.Changed, sum.Unchanged, sum.Refused = sum.Rows+r.Rows, sum.New+r.New, sum.Changed+r.Changed, sum.Unchanged+r.Unchanged, sum.Refused+r.Refused
			}
		}
		text := fmt.Sprintf(lang.X("import.summary", "Files imported: %d of %d; rows: %d — %d new, %d changed, %d unchanged, %d refused."),
			imported, len(queued), sum.Rows, sum.New, sum.Changed, sum.Unchanged, sum.Refused)
		if lost > 0 {
			text += "\n" + needsServerText()
		}
		d.msg.SetText(text)
		d.redraw()
		d.scroll.ScrollToTop()
	})
}

// saveRefused saves a file's refused rows as a CSV with an error column, next to where the
// staff member picks.
func (d *importDialog) saveRefused(f *importEntry) {
	r := f.result()
	base := strings.TrimSuffix(filepath.Base(f.path), filepath.Ext(f.path))
	d.save(base+"-refused.csv", func(w io.WriteCloser, where string) {
		refusals := r.Refusals
		background(d.env, func(context.Context) (struct{}, error) {
			err := desk.WriteImportErrors(w, f.path, refusals)
			if cerr := w.Close(); err == nil {
				err = cerr
			}
			return struct{}{}, err
		}, func(_ struct{}, err error) {
			if err != nil {
				d.msg.SetText(fmt.Sprintf(lang.X("import.save_failed", "Not saved: %v"), err))
				return
			}
			d.msg.SetText(pluralXf(len(refusals), "import.saved_refused", "%d refused rows saved to %s, with the reason in the first column: fix them and import that file again.", len(refusals), where))
		})
	})
}

// templateMenu offers Kefu's templates, as CSV or XLSX.
func (d *importDialog) templateMenu() {
	var items []*fyne.MenuItem
	for _, kind := range desk.ImportTemplates {
		for _, xlsx := range []bool{false, true} {
			ext := ".csv"
			if xlsx {
				ext = ".xlsx"
			}
			items = append(items, fyne.NewMenuItem(templateName(kind)+" ("+strings.ToUpper(ext[1:])+")", func() { d.saveTemplate(kind, xlsx) }))
		}
	}
	cv := d.env.win.Canvas()
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(d.templates)
	widget.ShowPopUpMenuAtPosition(fyne.NewMenu("", items...), cv, pos.AddXY(0, d.templates.Size().Height))
}

// templateName is a template's name as a person reads it.
func templateName(kind string) string {
	switch kind {
	case "stock":
		return lang.X("import.template_stock", "Warehouse stock template")
	case "customers":
		return lang.X("import.template_customers", "Customers template")
	case "reviews":
		return lang.X("import.template_reviews", "Reviews template")
	}
	return kind
}

// saveTemplate saves a template where the staff member picks.
func (d *importDialog) saveTemplate(kind string, xlsx bool) {
	name := "kefu-" + kind + "-template.csv"
	if xlsx {
		name = strings.TrimSuffix(name, ".csv") + ".xlsx"
	}
	d.save(name, func(w io.WriteCloser, where string) {
		background(d.env, func(context.Context) (struct{}, error) {
			err := desk.WriteImportTemplate(w, kind, xlsx)
			if cerr := w.Close(); err == nil {
				err = cerr
			}
			return struct{}{}, err
		}, func(_ struct{}, err error) {
			if err != nil {
				d.msg.SetText(fmt.Sprintf(lang.X("import.save_failed", "Not saved: %v"), err))
				return
			}
			d.msg.SetText(fmt.Sprintf(lang.X("import.saved_template", "%s saved to %s: fill it in, then add it here."), templateName(kind), where))
		})
	})
}

// fyneOpen asks for a file to import with Fyne's file dialog.
func (d *importDialog) fyneOpen(done func(path string)) {
	fd := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			d.msg.SetText(fmt.Sprintf(lang.X("import.failed", "The file could not be read: %v"), err))
			return
		}
		if r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		done(path)
	}, d.env.win)
	fd.SetFilter(storage.NewExtensionFileFilter([]string{".csv", ".tsv", ".txt", ".xlsx"}))
	fd.Resize(fyne.NewSize(820, 560))
	fd.Show()
	translateFileDialog(d.env.win)
}

// fyneSave asks where to save with Fyne's file dialog.
func (d *importDialog) fyneSave(name string, done func(w io.WriteCloser, where string)) {
	fd := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			d.msg.SetText(fmt.Sprintf(lang.X("import.save_failed", "Not saved: %v"), err))
			return
		}
		if w == nil {
			return
		}
		done(w, w.URI().Path())
	}, d.env.win)
	fd.SetFileName(name)
	fd.Resize(fyne.NewSize(820, 560))
	fd.Show()
	translateFileDialog(d.env.win)
}
