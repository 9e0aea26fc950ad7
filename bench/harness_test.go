package bench

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"kefu/internal/testkit"
	"kefu/shop"
)

func TestPercentile(t *testing.T) {
	var s Samples
	for i := 100; i >= 1; i-- { // unsorted on purpose
		s = append(s, time.Duration(i)*time.Millisecond)
	}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {95, 95 * time.Millisecond}, {99, 99 * time.Millisecond},
		{100, 100 * time.Millisecond}, {0.1, time.Millisecond}} {
		if got := s.Percentile(c.p); got != c.want {
			t.Errorf("p%v = %v, want %v", c.p, got, c.want)
		}
	}
	if s[0] != 100*time.Millisecond {
		t.Error("Percentile sorted the samples in place")
	}
	if got := (Samples{7}).Percentile(99); got != 7 {
		t.Errorf("p99 of one sample = %v", got)
	}
	if got := (Samples{}).Median(); got != 0 {
		t.Errorf("median of nothing = %v", got)
	}
	// Nearest rank: with 10 samples p95 is the 10th, not an interpolation.
	ten := Samples{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	if got := ten.Percentile(95); got != 10 {
		t.Errorf("p95 of 1..10 = %v, want 10", got)
	}
	if got := ten.Percentile(90); got != 9 {
		t.Errorf("p90 of 1..10 = %v, want 9", got)
	}
}

func TestParseProcStatus(t *testing.T) {
	status := "Name:\tkefu\nVmPeak:\t 2000000 kB\nVmHWM:\t  350124 kB\nVmRSS:\t  120000 kB\n" +
		"RssAnon:\t   90000 kB\nRssFile:\t   30000 kB\nRssShmem:\t       0 kB\nThreads:\t12\n"
	m, err := parseProcStatus(status)
	if err != nil {
		t.Fatal(err)
	}
	if m != (ProcMem{RSS: 120000 << 10, Peak: 350124 << 10, Anon: 90000 << 10, File: 30000 << 10}) {
		t.Errorf("got %+v", m)
	}
	if m, err := parseProcStatus("VmHWM:\t2 kB\nVmRSS:\t1 kB\n"); err != nil || m.Anon != 0 || m.RSS != 1024 {
		t.Errorf("without RssAnon: %+v, %v", m, err)
	}
	if _, err := parseProcStatus("Name:\tzombie\nState:\tZ\n"); err == nil {
		t.Error("a status without memory lines parsed")
	}
	if _, err := parseProcStatus("VmHWM:\t12 MB\nVmRSS:\t1 kB\n"); err == nil {
		t.Error("an unknown unit parsed")
	}
	self, err := ReadProcMem(0)
	if err != nil {
		t.Skip("no /proc here:", err)
	}
	if self.RSS <= 0 || self.Peak < self.RSS || self.Anon <= 0 || self.Anon+self.File > self.RSS {
		t.Errorf("this process: %+v", self)
	}
	w := watchMem(os.Getpid())
	testkit.WaitFor(t, "two memory samples", func() bool { return w.samples.Load() >= 2 })
	anon, file := w.finish()
	if anon <= 0 || file <= 0 {
		t.Errorf("watching this process: anon %d, file %d", anon, file)
	}
	w.finish() // a second finish is harmless
}

func TestParseProcStat(t *testing.T) {
	// Field 2 may hold spaces and parentheses; utime and stime are fields 14 and 15.
	line := "4242 (kefu (x) y) S 1 4242 4242 0 -1 4194560 5000 0 12 0 250 37 0 0 20 0 12 0 100 0 0\n"
	d, err := parseProcStat(line)
	if err != nil || d != 2870*time.Millisecond {
		t.Errorf("cpu = %v, %v; want 2.87s", d, err)
	}
	if _, err := parseProcStat("4242 kefu S 1"); err == nil {
		t.Error("a line without the command's parentheses parsed")
	}
	if cpu, err := ProcCPU(os.Getpid()); err != nil || cpu < 0 {
		t.Errorf("this process: %v, %v", cpu, err)
	}
}

func TestWriteTable(t *testing.T) {
	figs := []Figure{
		{Name: "open a conversation", Value: "p99 1.20 ms", Target: "p99 ≤ 3 ms", Pass: true, Note: "1000 opens"},
		{Name: "first full sync", Value: "75.0 s", Target: "≤ 60 s", Note: "a | in a note"},
		failed("binary size", "≤ 45 MB", os.ErrNotExist),
	}
	var b strings.Builder
	if err := WriteTable(&b, figs); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 5 {
		t.Fatalf("%d lines:\n%s", len(lines), b.String())
	}
	row := regexp.MustCompile(`^\| .* \| .* \| .* \| (pass|FAIL|n/a|result) +\| .* \|$`)
	for _, l := range slices.Concat(lines[:1], lines[2:]) {
		if !row.MatchString(l) {
			t.Errorf("not a table row: %q", l)
		}
		if strings.Count(l, "|") != 6 {
			t.Errorf("a cell holds a '|': %q", l)
		}
	}
	for i, want := range []string{"pass", "FAIL", "n/a"} {
		if !strings.Contains(lines[2+i], "| "+want) {
			t.Errorf("row %d lacks %q: %q", i, want, lines[2+i])
		}
	}
	if !strings.Contains(lines[4], "not measured: file does not exist") {
		t.Errorf("the failure's reason is missing: %q", lines[4])
	}
	if AllPass(figs) || !AllPass(figs[:1]) || AllPass(nil) {
		t.Error("AllPass is wrong")
	}
}

func TestTyped(t *testing.T) {
	got := typed("外套KD")
	want := []string{"外", "外套", "外套K", "外套KD"}
	if !slices.Equal(got, want) {
		t.Errorf("typed = %q, want %q", got, want)
	}
	if typed("") != nil {
		t.Error("typing nothing made keystrokes")
	}
}

func TestPinyinOf(t *testing.T) {
	full, initials := pinyinOf("儿童外套")
	if full != "ertongwaitao" || initials != "etwt" {
		t.Errorf("pinyin of 儿童外套 = %q, %q", full, initials)
	}
	// Latin letters and digits are typed as they are; other ASCII is not typed.
	full, initials = pinyinOf("KD-1 T恤")
	if full != "kd1txu" || initials != "kd1tx" {
		t.Errorf("pinyin of KD-1 T恤 = %q, %q; want kd1txu, kd1tx", full, initials)
	}
}

func TestWorkloadsAreDeterministic(t *testing.T) {
	ps := []shop.Product{
		{ID: "p1", Name: "秋季纯棉儿童外套", Category: "外套", Variants: []shop.Variant{{SKU: "KD-000001-RED-120", Barcode: "6901234567892"}}},
		{ID: "p2", Name: "夏季女童连衣裙", Category: "连衣裙", Variants: []shop.Variant{{SKU: "KD-000002-PNK-110", Barcode: "6901234567809"}}},
	}
	a, b := stockQueries(ps, 5, newRand(2)), stockQueries(ps, 5, newRand(2))
	if !slices.Equal(a, b) || len(a) == 0 {
		t.Fatalf("stock queries differ or are empty: %d vs %d", len(a), len(b))
	}
	// One product: its kind, a SKU, a barcode, the kind's pinyin and the name's initials, each
	// typed keystroke by keystroke.
	one := stockQueries(ps[:1], 1, newRand(7))
	want := slices.Concat(typed("外套"), typed("KD-000001-RED-120"), typed("6901234567892"), typed("waitao"), typed("qjcmetwt"))
	if !slices.Equal(one, want) {
		t.Errorf("queries for one product:\n got %q\nwant %q", one, want)
	}
	os := []shop.Order{{ID: "2026112356894305", Nick: "小雨妈妈", Address: shop.Address{Phone: "13812345678"}}}
	qs := orderQueries(os, 2, newRand(3))
	if len(qs) != 6 || qs[0].by != "number" || qs[1].q != "13812345678" || qs[2].q != "小雨妈妈" {
		t.Errorf("order queries: %+v", qs)
	}
}

func TestMutationMix(t *testing.T) {
	s := deskSample{
		products: []shop.Product{{ID: "p1", Variants: []shop.Variant{{SKU: "KD-1"}}}},
		orders:   []shop.Order{{ID: "o1", CustomerID: "u1"}},
		convs:    []shop.Conversation{{ID: "c1"}},
	}
	ms, err := mutationMix(s, 8, "1001", newRand(5))
	if err != nil {
		t.Fatal(err)
	}
	var kinds []shop.Kind
	ids := map[string]bool{}
	for _, m := range ms {
		kinds = append(kinds, m.Kind)
		ids[m.ID] = true
		if m.Staff != "1001" || len(m.Data) == 0 {
			t.Errorf("mutation %+v", m)
		}
	}
	want := []shop.Kind{shop.KindOrderNote, shop.KindChatSend, shop.KindStockAdjust, shop.KindCustomerSet}
	if !slices.Equal(kinds, append(want, want...)) {
		t.Errorf("kinds %v", kinds)
	}
	if len(ids) != 8 {
		t.Errorf("%d distinct ids for 8 mutations", len(ids))
	}
}

func TestFingerprint(t *testing.T) {
	a, err := Fingerprint()
	if err != nil {
		t.Fatal(err)
	}
	b, err := Fingerprint()
	if err != nil {
		t.Fatal(err)
	}
	if a != b || len(a) != 20 {
		t.Errorf("fingerprints %q and %q", a, b)
	}
}

func TestCacheCurrent(t *testing.T) {
	c := cache{dir: t.TempDir()}
	if _, ok := c.current("abc"); ok {
		t.Error("an empty cache is current")
	}
	for _, d := range []string{c.storeDir(), c.deskDir()} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(c.stampPath(), []byte(`{"fingerprint":"abc","records":5}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if s, ok := c.current("abc"); !ok || s.Records != 5 {
		t.Errorf("current = %+v, %v", s, ok)
	}
	if _, ok := c.current("abd"); ok {
		t.Error("a cache of another generator is current")
	}
	os.RemoveAll(c.deskDir())
	if _, ok := c.current("abc"); ok {
		t.Error("a cache without its desk store is current")
	}
}

func TestCopyDir(t *testing.T) {
	src := t.TempDir()
	if err := os.MkdirAll(filepath.Join(src, "a", "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{"MANIFEST": "m", "a/000001.vlog": strings.Repeat("v", 100_000), "a/b/x.sst": "s"}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(src, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	dst := filepath.Join(t.TempDir(), "copy")
	if err := copyDir(src, dst); err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		got, err := os.ReadFile(filepath.Join(dst, name))
		if err != nil || string(got) != body {
			t.Errorf("%s: %d bytes, %v", name, len(got), err)
		}
	}
	if n, err := dirSize(dst); err != nil || n != 100_002 {
		t.Errorf("dirSize = %d, %v", n, err)
	}
	if err := copyDir(src, dst); err == nil {
		t.Error("copying onto an existing directory worked")
	}
}

func TestFilterEnv(t *testing.T) {
	got := filterEnv([]string{"DISPLAY=:0", "HOME=/root", "DISPLAYX=1", "DBUS_SESSION_BUS_ADDRESS=unix:x"}, "DISPLAY", "DBUS_SESSION_BUS_ADDRESS")
	if !slices.Equal(got, []string{"HOME=/root", "DISPLAYX=1"}) {
		t.Errorf("filterEnv = %q", got)
	}
}
