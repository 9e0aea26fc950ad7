package screens

import (
	"strings"
	"testing"

	"kefu/localdb"
	"kefu/shop"
)

// TestResetCacheKeepsOutbox: "re-download shop data" in the window menu (not the status bar,
// which must fit a 1366-pixel screen) drops the local copy of the shop and keeps the actions
// waiting for the server, with their effect still shown.
func TestResetCacheKeepsOutbox(t *testing.T) {
	f := newFixture(t)
	b := f.desk.status
	if strings.Contains(joined(b.box), "重新下载店铺数据") {
		t.Fatalf("the status bar still carries the re-download action: %s", joined(b.box))
	}
	var inMenu bool
	for _, m := range f.desk.mainMenu(Params{}).Items {
		for _, it := range m.Items {
			inMenu = inMenu || it.Label == "重新下载店铺数据…"
		}
	}
	if !inMenu {
		t.Fatal("the window menu has no 重新下载店铺数据…")
	}
	orders, err := f.db.SearchOrders("", localdb.OrderFilter{}, 1)
	if err != nil || len(orders) == 0 {
		t.Fatalf("orders %v, %v", orders, err)
	}
	id := orders[0].ID
	m, err := shop.NewMutation(shop.KindOrderNote, id, f.staff.Number, testNow, shop.OrderNoteAdd{NoteID: shop.NewID(), Flag: shop.FlagPurple, Text: "重新下载前的备注"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Apply(m); err != nil {
		t.Fatal(err)
	}
	if err := waited(b.resetCache); err != nil {
		t.Fatal(err)
	}
	out := f.outbox()
	if len(out) != 1 || out[0].ID != m.ID {
		t.Fatalf("outbox after the reset: %+v", out)
	}
	if c, err := f.db.Cursor(); err != nil || c != 0 {
		t.Fatalf("cursor %d, %v: the shop will not be downloaded again", c, err)
	}
	notes, err := f.db.Notes(id)
	if err != nil || len(notes) != 1 || notes[0].Text != "重新下载前的备注" {
		t.Fatalf("the pending note after the reset: %+v, %v", notes, err)
	}
}
