package screens

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// Fyne's file dialog takes most of its words from lang (its own translations and the desk's
// fyne.*.json), but in Fyne 2.7.1 some are plain English in its source: the places in its side
// list (Home, Computer, Desktop, Documents …, from dialog/file.go and file_unix.go) and the
// questions it asks before overwriting (dialog/file.go, makeOpenButton). translateFileDialog
// puts the window's language on those through the dialog's public widgets; the words are
// matched exactly, so a Fyne that translates them itself leaves nothing for it to do.

// placeIDs names the translation of each place in the file dialog's side list.
var placeIDs = map[string]string{
	"Home": "filedialog.home", "Computer": "filedialog.computer", "App Files": "filedialog.app_files",
	"Desktop": "filedialog.desktop", "Documents": "filedialog.documents", "Downloads": "filedialog.downloads",
	"Music": "filedialog.music", "Pictures": "filedialog.pictures", "Videos": "filedialog.videos",
	"Movies": "filedialog.movies",
}

// placeName is the translation of a place in the file dialog's side list, or "" for none.
func placeName(english string) string {
	if id, ok := placeIDs[english]; ok {
		return lang.X(id, english)
	}
	return ""
}

// The overwrite questions of Fyne 2.7.1's save dialog, as it words them.
const (
	overwriteTitle       = "Overwrite?"
	overwriteMessage     = "Are you sure you want to overwrite the file\n"
	cannotOverwriteTitle = "Cannot overwrite"
	cannotOverwriteText  = "Files cannot replace a directory,\ncheck the file name and try again"
)

// noticeText is the translation of a label of the dialog Fyne's save dialog asks before
// overwriting, or "" for a label that is not one of those.
func noticeText(english string) string {
	switch {
	case english == overwriteTitle:
		return lang.X("filedialog.overwrite_title", "Replace the file?")
	case strings.HasPrefix(english, overwriteMessage) && strings.HasSuffix(english, "?"):
		name := strings.TrimSuffix(strings.TrimPrefix(english, overwriteMessage), "?")
		return fmt.Sprintf(lang.X("filedialog.overwrite_message", "%s is already there. Replace it?"), name)
	case english == cannotOverwriteTitle:
		return lang.X("filedialog.cannot_overwrite_title", "Cannot save here")
	case english == cannotOverwriteText:
		return lang.X("filedialog.cannot_overwrite_message", "A folder has this name: pick another file name.")
	}
	return ""
}

// dialogTitle is the translation of the title Fyne 2.7.1 makes of two words ("Save" + " " +
// "File": 保存 文件 with a space in Chinese), or "" for another text.
func dialogTitle(text string) string {
	switch text {
	case lang.L("Save") + " " + lang.L("File"):
		return lang.X("filedialog.save_file", "Save file")
	case lang.L("Open") + " " + lang.L("File"):
		return lang.X("filedialog.open_file", "Open file")
	case lang.L("Open") + " " + lang.L("Folder"):
		return lang.X("filedialog.open_folder", "Open folder")
	}
	return ""
}

// translateFileDialog translates the English words of the Fyne file dialog just shown on win
// (its top overlay): its title and the side list's places now, and the overwrite question
// when the save button (or Enter in the name) asks it.
func translateFileDialog(win fyne.Window) {
	pop, ok := win.Canvas().Overlays().Top().(*widget.PopUp)
	if !ok {
		return
	}
	walkObjects(pop.Content, func(o fyne.CanvasObject) {
		switch o := o.(type) {
		case *widget.Label:
			if t := dialogTitle(o.Text); t != "" {
				o.SetText(t)
			}
		case *widget.List:
			update := o.UpdateItem
			if update == nil {
				return
			}
			o.UpdateItem = func(id widget.ListItemID, item fyne.CanvasObject) {
				update(id, item)
				relabel(item, placeName)
			}
			o.Refresh()
		case *widget.Button:
			if o.Importance != widget.HighImportance || o.OnTapped == nil {
				return // the save button is the dialog's one high-importance button
			}
			tapped := o.OnTapped
			o.OnTapped = func() {
				before := win.Canvas().Overlays().Top()
				tapped()
				if top, ok := win.Canvas().Overlays().Top().(*widget.PopUp); ok && fyne.CanvasObject(top) != before {
					relabel(top.Content, noticeText)
				}
			}
		}
	})
}

// relabel gives every label under o whose text translate knows the translated text.
func relabel(o fyne.CanvasObject, translate func(string) string) {
	walkObjects(o, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok {
			if t := translate(l.Text); t != "" {
				l.SetText(t)
			}
		}
	})
}

// walkObjects calls visit on o and on everything under it that Fyne's public types reach:
// containers' objects, splits' sides, scrolls' content.
func walkObjects(o fyne.CanvasObject, visit func(fyne.CanvasObject)) {
	if o == nil {
		return
	}
	visit(o)
	switch o := o.(type) {
	case *fyne.Container:
		for _, c := range o.Objects {
			walkObjects(c, visit)
		}
	case *container.Split:
		walkObjects(o.Leading, visit)
		walkObjects(o.Trailing, visit)
	case *container.Scroll:
		walkObjects(o.Content, visit)
	}
}
