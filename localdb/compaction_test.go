package localdb

import (
	"fmt"
	"testing"
)

// A store closed after a session's writes has merged them out of level 0: the next Open
// finds no level-0 tables, so its compactors have nothing to merge while the desk starts.
func TestCloseCompactsLevelZero(t *testing.T) {
	dir := t.TempDir()
	db := openDir(t, dir)
	for i := range 200 {
		if err := db.SetMeta(fmt.Sprintf("k%03d", i), fmt.Sprintf("value %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db2 := openDir(t, dir)
	levels := db2.bdb.Levels()
	if len(levels) == 0 || levels[0].NumTables != 0 {
		t.Fatalf("after a close level 0 holds %d tables; want none", levels[0].NumTables)
	}
	if v, err := db2.Meta("k199"); err != nil || v != "value 199" {
		t.Fatalf("after the close k199 reads %q, %v", v, err)
	}
}
