package demoshop

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"kefu/shop"
)

// testNow is a fixed "now" for the tests: a Friday afternoon in the shop's zone.
var testNow = time.Date(2026, 11, 27, 15, 4, 5, 0, shop.ShopZone)

// generated is a generated shop, decoded.
type generated struct {
	now        time.Time
	order      []shop.EntityType // record types in emission order
	shop       []shop.Shop
	staff      map[string]shop.Staff
	rules      []shop.AutoReplies
	phrases    []shop.QuickPhrase
	groups     map[string]shop.Group
	products   []shop.Product
	customers  map[string]shop.Customer
	orders     map[string]shop.Order
	orderList  []shop.Order
	notes      []shop.OrderNote
	cases      []shop.AfterSalesCase
	reviews    map[string]shop.Review
	evidence   []shop.Evidence
	complaints []shop.Complaint
	convs      map[string]shop.Conversation
	messages   map[string][]shop.Message // by conversation, in emission order
	ids        map[shop.EntityType]map[string]bool
	hash       string
}

func generate(t *testing.T, size Size, seed int64, now time.Time) *generated {
	t.Helper()
	g := &generated{now: now, staff: map[string]shop.Staff{}, groups: map[string]shop.Group{},
		customers: map[string]shop.Customer{}, orders: map[string]shop.Order{}, reviews: map[string]shop.Review{},
		convs: map[string]shop.Conversation{}, messages: map[string][]shop.Message{}, ids: map[shop.EntityType]map[string]bool{}}
	h := sha256.New()
	err := Generate(size, seed, now, func(r shop.Record) error {
		fmt.Fprintf(h, "%s\x00%s\x00%d\x00%t\x00%s\n", r.Type, r.ID, r.Seq, r.Deleted, r.Data)
		if r.Seq != 0 || r.Deleted {
			t.Errorf("%s %s: seq %d deleted %t", r.Type, r.ID, r.Seq, r.Deleted)
		}
		if g.ids[r.Type] == nil {
			g.ids[r.Type] = map[string]bool{}
		}
		if g.ids[r.Type][r.ID] {
			t.Errorf("%s %s emitted twice", r.Type, r.ID)
		}
		g.ids[r.Type][r.ID] = true
		if n := len(g.order); n == 0 || g.order[n-1] != r.Type {
			g.order = append(g.order, r.Type)
		}
		var id string
		var err error
		switch r.Type {
		case shop.TypeShop:
			var v shop.Shop
			err, id = r.Decode(&v), v.ID
			g.shop = append(g.shop, v)
		case shop.TypeStaff:
			var v shop.Staff
			err, id = r.Decode(&v), v.ID()
			g.staff[id] = v
		case shop.TypeAutoReply:
			var v shop.AutoReplies
			err, id = r.Decode(&v), v.ID
			g.rules = append(g.rules, v)
		case shop.TypePhrase:
			var v shop.QuickPhrase
			err, id = r.Decode(&v), v.ID
			g.phrases = append(g.phrases, v)
		case shop.TypeGroup:
			var v shop.Group
			err, id = r.Decode(&v), v.ID
			g.groups[id] = v
		case shop.TypeProduct:
			var v shop.Product
			err, id = r.Decode(&v), v.ID
			g.products = append(g.products, v)
		case shop.TypeCustomer:
			var v shop.Customer
			err, id = r.Decode(&v), v.ID
			g.customers[id] = v
		case shop.TypeOrder:
			var v shop.Order
			err, id = r.Decode(&v), v.ID
			g.orders[id] = v
			g.orderList = append(g.orderList, v)
		case shop.TypeNote:
			var v shop.OrderNote
			err, id = r.Decode(&v), v.ID
			g.notes = append(g.notes, v)
		case shop.TypeCase:
			var v shop.AfterSalesCase
			err, id = r.Decode(&v), v.ID
			g.cases = append(g.cases, v)
		case shop.TypeReview:
			var v shop.Review
			err, id = r.Decode(&v), v.ID
			g.reviews[id] = v
		case shop.TypeEvidence:
			var v shop.Evidence
			err, id = r.Decode(&v), v.ID
			g.evidence = append(g.evidence, v)
		case shop.TypeComplaint:
			var v shop.Complaint
			err, id = r.Decode(&v), v.ID
			g.complaints = append(g.complaints, v)
		case shop.TypeConversation:
			var v shop.Conversation
			err, id = r.Decode(&v), v.ID
			g.convs[id] = v
		case shop.TypeMessage:
			var v shop.Message
			err, id = r.Decode(&v), v.ID
			g.messages[v.ConversationID] = append(g.messages[v.ConversationID], v)
		case shop.TypeCall:
			var v shop.CallLog
			err, id = r.Decode(&v), v.ID
		case shop.TypeHandover:
			var v shop.Handover
			err, id = r.Decode(&v), v.ID
		case shop.TypeConcession:
			var v shop.Concession
			err, id = r.Decode(&v), v.ID
		default:
			t.Errorf("record of unknown type %q", r.Type)
		}
		if err != nil {
			t.Errorf("%v", err)
		}
		if id != r.ID {
			t.Errorf("%s record id %q but entity id %q", r.Type, r.ID, id)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	g.hash = hex.EncodeToString(h.Sum(nil))
	return g
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	a := generate(t, Small, 42, testNow)
	b := generate(t, Small, 42, testNow)
	if a.hash != b.hash {
		t.Fatalf("same seed and time gave different shops: %s and %s", a.hash, b.hash)
	}
	c := generate(t, Small, 43, testNow)
	if c.hash == a.hash {
		t.Fatal("different seeds gave the same shop")
	}
	// The same moment in another zone is the same shop.
	d := generate(t, Small, 42, testNow.UTC().Add(300*time.Millisecond))
	if d.hash != a.hash {
		t.Fatal("the zone or fraction of a second of now changed the shop")
	}
}

var (
	phoneRE   = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	orderIDRE = regexp.MustCompile(`^[0-9]{16}$`)
	skuRE     = regexp.MustCompile(`^KD-[0-9]{6}-[A-Z]{3}-[0-9]{2,3}$`)
)

func ean13OK(s string) bool {
	if len(s) != 13 {
		return false
	}
	sum := 0
	for i := 0; i < 13; i++ {
		d := int(s[i]) - '0'
		if d < 0 || d > 9 {
			return false
		}
		if i < 12 {
			if i%2 == 1 {
				d *= 3
			}
			sum += d
		}
	}
	return (10-sum%10)%10 == int(s[12]-'0')
}

func TestEAN13(t *testing.T) {
	for _, s := range []string{"4006381333931", "6901234567892", "9780306406157"} {
		if !ean13OK(s) || string(eanCheck(s[:12])) != s[12:] {
			t.Errorf("%s: check digit wrong", s)
		}
	}
	if ean13OK("6901234567891") {
		t.Error("a wrong check digit passed")
	}
}

// check verifies the invariants and the referential integrity of a generated shop.
func check(t *testing.T, g *generated, size Size) {
	t.Helper()
	now := g.now

	// Emission follows shop.EntityTypes, each type in one run.
	pos := func(tp shop.EntityType) int { return slices.Index(shop.EntityTypes, tp) }
	for i := 1; i < len(g.order); i++ {
		if pos(g.order[i]) <= pos(g.order[i-1]) {
			t.Errorf("records out of dependency order: %s after %s", g.order[i], g.order[i-1])
		}
	}

	// Shop, staff, auto-replies, phrases, groups.
	if len(g.shop) != 1 || g.shop[0].ID != ShopID || g.shop[0].Courier != "中通" || g.shop[0].Promotion == "" {
		t.Errorf("shop: %+v", g.shop)
	}
	if o := g.staff[OwnerStaff]; o.Role != shop.RoleOwner || !strings.Contains(o.Signature, g.shop[0].Promotion) {
		t.Errorf("owner: %+v", o)
	}
	if len(g.staff) != 3 {
		t.Errorf("%d staff", len(g.staff))
	}
	isStaff := func(n string) bool { _, ok := g.staff[n]; return ok }
	if len(g.rules) != 1 {
		t.Fatalf("%d auto-reply records", len(g.rules))
	}
	rules := g.rules[0]
	if err := shop.ValidateGreeting(rules.Greeting); err != nil {
		t.Errorf("greeting: %v", err)
	}
	for _, w := range []string{g.shop[0].Name, g.shop[0].Courier, g.shop[0].Promotion} {
		if !strings.Contains(rules.Greeting, w) {
			t.Errorf("greeting lacks %q", w)
		}
	}
	for d, h := range rules.Hours {
		if h.Open != 9*60 || h.Close != 22*60 {
			t.Errorf("hours on %s: %+v", time.Weekday(d), h)
		}
	}
	if n := len(rules.Keywords); n < 3 || n > 5 || rules.OffHours == "" {
		t.Errorf("%d keyword replies, off-hours %q", n, rules.OffHours)
	}
	shortcuts := map[string]bool{}
	shared := 0
	for _, p := range g.phrases {
		if shortcuts[p.Shortcut] {
			t.Errorf("shortcut %q twice", p.Shortcut)
		}
		shortcuts[p.Shortcut] = true
		if p.Owner == "" {
			shared++
		} else if !isStaff(p.Owner) {
			t.Errorf("phrase %s owned by %q", p.ID, p.Owner)
		}
		for _, ph := range shop.Unfilled(p.Text) {
			if !slices.Contains([]string{"{nick}", "{order}", "{courier}", "{tracking}", "{staff}", "{name}"}, ph) {
				t.Errorf("phrase %s has unknown placeholder %s", p.ID, ph)
			}
		}
	}
	for _, s := range []string{"hi", "fh", "th", "cm", "cf"} {
		if !shortcuts[s] {
			t.Errorf("no quick phrase %q", s)
		}
	}
	if shared < 15 {
		t.Errorf("%d shop-wide phrases", shared)
	}
	manual, ruled := 0, 0
	for _, gr := range g.groups {
		if gr.Rule == nil {
			manual++
		} else {
			ruled++
		}
	}
	if manual == 0 || ruled < 2 {
		t.Errorf("%d manual and %d rule groups", manual, ruled)
	}

	// Products.
	if len(g.products) != size.Products {
		t.Errorf("%d products, want %d", len(g.products), size.Products)
	}
	type skuRef struct {
		product string
		v       shop.Variant
		name    string
	}
	skus := map[string]skuRef{}
	barcodes := map[string]bool{}
	names := map[string]bool{}
	for _, p := range g.products {
		if names[p.Name] {
			t.Errorf("product name %q twice", p.Name)
		}
		names[p.Name] = true
		if len(p.Variants) != size.VariantsPerProduct {
			t.Errorf("%s has %d variants", p.ID, len(p.Variants))
		}
		for _, v := range p.Variants {
			if _, dup := skus[v.SKU]; dup || !skuRE.MatchString(v.SKU) {
				t.Errorf("SKU %q duplicate or malformed", v.SKU)
			}
			skus[v.SKU] = skuRef{p.ID, v, p.Name}
			if barcodes[v.Barcode] || !ean13OK(v.Barcode) {
				t.Errorf("barcode %q duplicate or invalid", v.Barcode)
			}
			barcodes[v.Barcode] = true
			if v.Price <= 0 || v.Listed < 0 || v.Warehouse < v.Reserved || v.Reserved < 0 {
				t.Errorf("%s: price %d listed %d warehouse %d reserved %d", v.SKU, v.Price, v.Listed, v.Warehouse, v.Reserved)
			}
		}
	}

	// Customers.
	if len(g.customers) != size.Customers {
		t.Errorf("%d customers, want %d", len(g.customers), size.Customers)
	}
	phones, nicks := map[string]bool{}, map[string]bool{}
	for _, c := range g.customers {
		if c.Phone != "" {
			if phones[c.Phone] || !phoneRE.MatchString(c.Phone) || !shop.ValidPhone(c.Phone) {
				t.Errorf("phone %q duplicate or malformed", c.Phone)
			}
			phones[c.Phone] = true
		}
		if nicks[c.Nick] || c.Nick == "" {
			t.Errorf("nick %q duplicate or empty", c.Nick)
		}
		nicks[c.Nick] = true
		if c.Birthday != "" && !shop.ValidBirthday(c.Birthday) {
			t.Errorf("%s birthday %q", c.ID, c.Birthday)
		}
		if c.VIP < 0 || c.VIP > 5 || c.CreatedAt.After(now) || c.City == "" {
			t.Errorf("customer %+v", c)
		}
		for _, gid := range c.Groups {
			if gr, ok := g.groups[gid]; !ok || gr.Rule != nil {
				t.Errorf("%s in group %q, not a manual group", c.ID, gid)
			}
		}
		if c.ChangedBy != "" && (!isStaff(c.ChangedBy) || c.ChangedAt.Before(c.CreatedAt) || c.ChangedAt.After(now)) {
			t.Errorf("%s changed by %q at %v", c.ID, c.ChangedBy, c.ChangedAt)
		}
	}

	// Orders and notes.
	if len(g.orders) != size.Orders {
		t.Errorf("%d orders, want %d", len(g.orders), size.Orders)
	}
	reserved := map[string]int{}
	firstOrder := map[string]time.Time{}
	stats := map[string]*shop.CustomerStats{}
	for _, o := range g.orderList {
		cu, ok := g.customers[o.CustomerID]
		if !ok || cu.Nick != o.Nick {
			t.Errorf("order %s: customer %s (%q) unknown or nick differs", o.ID, o.CustomerID, o.Nick)
		}
		if !orderIDRE.MatchString(o.ID) || o.ID[:8] != o.CreatedAt.In(shop.ShopZone).Format("20060102") {
			t.Errorf("order id %q for %v", o.ID, o.CreatedAt)
		}
		if f, ok := firstOrder[o.CustomerID]; !ok || o.CreatedAt.Before(f) {
			firstOrder[o.CustomerID] = o.CreatedAt
		}
		if stats[o.CustomerID] == nil {
			stats[o.CustomerID] = &shop.CustomerStats{}
		}
		stats[o.CustomerID].Add(o)
		var sum shop.Cents
		for _, it := range o.Items {
			ref, ok := skus[it.SKU]
			if !ok || ref.product != it.ProductID || ref.v.Price != it.Price || ref.name != it.Name || ref.v.Label() != it.Variant || it.Qty < 1 {
				t.Errorf("order %s item %+v does not match the catalog", o.ID, it)
			}
			sum += it.Price * shop.Cents(it.Qty)
			if o.Status == shop.StatusUnpaid || o.Status == shop.StatusPaid {
				reserved[it.SKU] += it.Qty
			}
		}
		if o.Total != sum+o.Shipping || len(o.Items) == 0 {
			t.Errorf("order %s total %d, items %d + shipping %d", o.ID, o.Total, sum, o.Shipping)
		}
		if !slices.Contains(shop.OrderStatuses, o.Status) || !o.Flag.Valid() {
			t.Errorf("order %s status %q flag %d", o.ID, o.Status, o.Flag)
		}
		if err := checkAddr(o.Address); err != nil {
			t.Errorf("order %s: %v", o.ID, err)
		}
		for _, at := range []time.Time{o.CreatedAt, o.PaidAt, o.ShippedAt, o.FlagAt, o.CODCallAt, o.RemindedAt, o.ShipNoticeAt} {
			if at.After(now) || (!at.IsZero() && at.Before(o.CreatedAt)) {
				t.Errorf("order %s has a time %v outside its life", o.ID, at)
			}
		}
		switch o.Status {
		case shop.StatusUnpaid:
			if !o.PaidAt.IsZero() || o.Payment != shop.PayOnline || now.Sub(o.CreatedAt) > 48*time.Hour {
				t.Errorf("unpaid order %s: paid %v, payment %s, created %v", o.ID, o.PaidAt, o.Payment, o.CreatedAt)
			}
		case shop.StatusShipped, shop.StatusCompleted:
			if o.Courier == "" || o.Tracking == "" || o.ShippedAt.IsZero() || (o.Payment == shop.PayOnline && o.ShippedAt.Before(o.PaidAt)) {
				t.Errorf("%s order %s: courier %q tracking %q shipped %v", o.Status, o.ID, o.Courier, o.Tracking, o.ShippedAt)
			}
			if o.Payment == shop.PayCOD && o.CODCall != shop.CallConfirmed {
				t.Errorf("COD order %s shipped without a confirmed call", o.ID)
			}
		case shop.StatusClosed:
			if o.CloseReason == "" {
				t.Errorf("closed order %s has no reason", o.ID)
			}
		}
		if o.Status != shop.StatusShipped && o.Status != shop.StatusCompleted && o.Tracking != "" {
			t.Errorf("order %s is %s but has tracking %s", o.ID, o.Status, o.Tracking)
		}
		if !o.RemindedAt.IsZero() && o.Status != shop.StatusUnpaid {
			t.Errorf("order %s reminded but %s", o.ID, o.Status)
		}
		if !o.ShipNoticeAt.IsZero() && o.Status != shop.StatusShipped && o.Status != shop.StatusCompleted {
			t.Errorf("order %s has a shipping notice but is %s", o.ID, o.Status)
		}
	}
	for _, p := range g.products {
		for _, v := range p.Variants {
			if v.Reserved != reserved[v.SKU] {
				t.Errorf("%s reserved %d; unpaid and unshipped orders hold %d", v.SKU, v.Reserved, reserved[v.SKU])
			}
		}
	}
	for id, c := range g.customers {
		s := shop.CustomerStats{}
		if st := stats[id]; st != nil {
			s = *st
		}
		if c.VIP != vipLevel(int64(s.Spent)) || slices.Contains(c.Tags, "回头客") != (s.Orders >= 3) {
			t.Errorf("customer %s: VIP %d tags %v for %d orders, %s spent", id, c.VIP, c.Tags, s.Orders, s.Spent)
		}
		if f, ok := firstOrder[id]; ok && c.CreatedAt.After(f) {
			t.Errorf("customer %s created %v after the first order %v", id, c.CreatedAt, f)
		}
	}
	notesOf := map[string][]shop.OrderNote{}
	for _, n := range g.notes {
		o, ok := g.orders[n.OrderID]
		if !ok {
			t.Errorf("note %s of unknown order %s", n.ID, n.OrderID)
			continue
		}
		if !n.Flag.Valid() || !isStaff(n.Staff) || n.Text == "" || n.At.Before(o.CreatedAt) || n.At.After(now) {
			t.Errorf("note %+v", n)
		}
		if n.System && n.Reason != "address confirmed" && n.Reason != "address changed" && n.Reason != "COD call" && n.Reason != "order closed" {
			t.Errorf("system note with reason %q", n.Reason)
		}
		notesOf[n.OrderID] = append(notesOf[n.OrderID], n)
	}
	for _, o := range g.orderList {
		ns := notesOf[o.ID]
		if o.NoteCount != len(ns) {
			t.Errorf("order %s note count %d, %d notes", o.ID, o.NoteCount, len(ns))
		}
		flag, by := shop.FlagGrey, ""
		for i, n := range ns {
			if i > 0 && n.At.Before(ns[i-1].At) {
				t.Errorf("notes of %s out of time order", o.ID)
			}
			if !n.System {
				flag, by = n.Flag, n.Staff
			} else if n.Flag != flag {
				t.Errorf("system note %s carries flag %s while the order had %s", n.ID, n.Flag, flag)
			}
		}
		if o.Flag != flag || o.FlagBy != by {
			t.Errorf("order %s flag %s by %q; its notes say %s by %q", o.ID, o.Flag, o.FlagBy, flag, by)
		}
		if (o.AddressCheck != shop.AddressUnchecked) != slices.ContainsFunc(ns, func(n shop.OrderNote) bool { return strings.HasPrefix(n.Reason, "address") }) {
			t.Errorf("order %s address check %q does not match its notes", o.ID, o.AddressCheck)
		}
		if (o.CODCall != shop.CallNone) != slices.ContainsFunc(ns, func(n shop.OrderNote) bool { return n.Reason == "COD call" }) {
			t.Errorf("order %s COD call %q does not match its notes", o.ID, o.CODCall)
		}
	}

	// After-sales cases.
	if len(g.cases) > size.Cases {
		t.Errorf("%d cases, at most %d", len(g.cases), size.Cases)
	}
	for _, c := range g.cases {
		o, ok := g.orders[c.OrderID]
		if !ok || o.CustomerID != c.CustomerID || (o.Status != shop.StatusShipped && o.Status != shop.StatusCompleted) {
			t.Errorf("case %s: order %s (%s) customer %s", c.ID, c.OrderID, o.Status, c.CustomerID)
		}
		if !slices.Contains(shop.CaseKinds, c.Kind) || !isStaff(c.Owner) || c.Summary == "" || c.CreatedAt.Before(o.CreatedAt) {
			t.Errorf("case %+v", c)
		}
		checkSteps(t, "case "+c.ID, c.Steps, string(c.State), c.UpdatedAt, now, func(a, b string) bool { return shop.CanMoveCase(shop.CaseState(a), shop.CaseState(b)) })
	}

	// Reviews and evidence.
	for _, rv := range g.reviews {
		o, ok := g.orders[rv.OrderID]
		if !ok || o.Status != shop.StatusCompleted || o.CustomerID != rv.CustomerID || o.Nick != rv.Nick || rv.ProductID != o.Items[0].ProductID {
			t.Errorf("review %s does not match order %s", rv.ID, rv.OrderID)
		}
		if rv.Stars < 1 || rv.Stars > 5 || rv.Text == "" || rv.At.Before(o.ShippedAt) || rv.At.After(now) {
			t.Errorf("review %+v", rv)
		}
		if rv.Reply != "" && (!isStaff(rv.ReplyBy) || rv.ReplyAt.Before(rv.At) || rv.ReplyAt.After(now)) {
			t.Errorf("review %s reply by %q at %v", rv.ID, rv.ReplyBy, rv.ReplyAt)
		}
		checkSteps(t, "review "+rv.ID, append([]shop.Step{{To: string(shop.ReviewNew), At: rv.At}}, rv.Steps...), string(rv.State), time.Time{}, now,
			func(a, b string) bool { return shop.CanMoveReview(shop.ReviewState(a), shop.ReviewState(b)) })
		contacts := 0
		for _, s := range rv.Steps {
			if s.To == string(shop.ReviewContacted) {
				contacts++
			}
		}
		if contacts != rv.Contacts {
			t.Errorf("review %s: %d contacts, %d contact steps", rv.ID, rv.Contacts, contacts)
		}
	}
	for _, e := range g.evidence {
		rv, ok := g.reviews[e.ReviewID]
		if !ok || rv.State != shop.ReviewMalicious || e.SHA256 != shop.EvidenceHash(e) || !isStaff(e.Staff) {
			t.Errorf("evidence %s", e.ID)
		}
	}

	// Complaints.
	for _, c := range g.complaints {
		if _, ok := g.customers[c.CustomerID]; !ok {
			t.Errorf("complaint %s of unknown customer %s", c.ID, c.CustomerID)
		}
		if o, ok := g.orders[c.OrderID]; c.OrderID != "" && (!ok || o.CustomerID != c.CustomerID) {
			t.Errorf("complaint %s: order %s", c.ID, c.OrderID)
		}
		if !slices.Contains(shop.ComplaintCategories, c.Category) || !isStaff(c.Owner) || c.Description == "" {
			t.Errorf("complaint %+v", c)
		}
		if (c.State == shop.ComplaintResolved || c.State == shop.ComplaintUnresolved) != (c.Resolution != "") {
			t.Errorf("complaint %s is %s with resolution %q", c.ID, c.State, c.Resolution)
		}
		checkSteps(t, "complaint "+c.ID, c.Steps, string(c.State), c.UpdatedAt, now,
			func(a, b string) bool { return shop.CanMoveComplaint(shop.ComplaintState(a), shop.ComplaintState(b)) })
	}

	// Conversations and messages: the conversation is what replaying its messages gives.
	if len(g.convs) != size.Conversations {
		t.Errorf("%d conversations, want %d", len(g.convs), size.Conversations)
	}
	total := 0
	for id, msgs := range g.messages {
		if _, ok := g.convs[id]; !ok {
			t.Errorf("%d messages of unknown conversation %s", len(msgs), id)
		}
	}
	for id, c := range g.convs {
		cu, ok := g.customers[c.CustomerID]
		newest := "c" + strings.TrimPrefix(c.CustomerID, "u")
		if !ok || cu.Nick != c.Nick || (id != newest && !strings.HasPrefix(id, newest+"-")) {
			t.Errorf("conversation %s of customer %s (%q)", id, c.CustomerID, c.Nick)
		}
		if c.ProductID != "" && !g.ids[shop.TypeProduct][c.ProductID] {
			t.Errorf("conversation %s about unknown product %s", id, c.ProductID)
		}
		if c.OrderID != "" {
			if o, ok := g.orders[c.OrderID]; !ok || o.CustomerID != c.CustomerID {
				t.Errorf("conversation %s about order %s of someone else", id, c.OrderID)
			}
		}
		msgs := g.messages[id]
		total += len(msgs)
		want := shop.Conversation{ID: id, CustomerID: c.CustomerID, Nick: c.Nick, ProductID: c.ProductID, OrderID: c.OrderID}
		for i, m := range msgs {
			if i > 0 && !m.At.After(msgs[i-1].At) {
				t.Errorf("conversation %s: message %d at %v, not after %v", id, i, m.At, msgs[i-1].At)
			}
			if m.At.After(now) || m.At.Before(cu.CreatedAt) {
				t.Errorf("conversation %s: message at %v, customer created %v", id, m.At, cu.CreatedAt)
			}
			if (m.From == shop.FromStaff) != isStaff(m.Staff) || (m.Text == "" && m.Card == nil) {
				t.Errorf("message %+v", m)
			}
			want.Messages++
			want.LastText, want.LastAt = shop.PreviewText(m), m.At
			switch m.From {
			case shop.FromCustomer:
				want.Unread++
				if want.WaitingSince.IsZero() {
					want.WaitingSince = m.At
				}
				// The auto-replies that follow are the ones the rules give.
				var autos []string
				for _, a := range msgs[i+1:] {
					if a.From != shop.FromAuto {
						break
					}
					autos = append(autos, a.Text)
				}
				if exp := rules.Replies(i == 0, m.Text, m.At); !slices.Equal(autos, exp) {
					t.Errorf("conversation %s: %q got auto-replies %q, the rules give %q", id, m.Text, autos, exp)
				}
			case shop.FromStaff:
				want.WaitingSince, want.Unread = time.Time{}, 0
				if want.Assignee == "" {
					want.Assignee, want.AssignedAt = m.Staff, m.At
				}
			case shop.FromAuto:
				if i == 0 {
					t.Errorf("conversation %s starts with an auto-reply", id)
				}
			default:
				t.Errorf("message from %q", m.From)
			}
		}
		if c.Closed {
			want.Closed, want.WaitingSince, want.Unread = true, time.Time{}, 0
		}
		if !convEqual(c, want) {
			t.Errorf("conversation %s:\n got %+v\nwant %+v", id, c, want)
		}
		if len(msgs) == 0 {
			t.Errorf("conversation %s has no messages", id)
			continue
		}
		if id != newest {
			// An older conversation of the customer: closed, and over before the next one began.
			var n int
			fmt.Sscanf(strings.TrimPrefix(id, newest+"-"), "%d", &n)
			next := g.messages[fmt.Sprintf("%s-%d", newest, n+1)]
			if next == nil {
				next = g.messages[newest]
			}
			if !c.Closed || len(next) == 0 || !msgs[len(msgs)-1].At.Before(next[0].At) {
				t.Errorf("older conversation %s is open or overlaps the next one", id)
			}
		}
		// Only the few waiting customers wrote last and wait.
		if !c.WaitingSince.IsZero() && now.Sub(c.WaitingSince) > time.Hour {
			t.Errorf("conversation %s waiting since %v", id, c.WaitingSince)
		}
	}
	if size.Messages > 0 && (total < size.Messages*85/100 || total > size.Messages*115/100) {
		t.Errorf("%d messages, want about %d", total, size.Messages)
	}
	// Reminders and shipping notices are in the chat.
	for _, o := range g.orderList {
		for _, ev := range []struct {
			at   time.Time
			what string
		}{{o.RemindedAt, "reminder"}, {o.ShipNoticeAt, "shipping notice"}} {
			if ev.at.IsZero() {
				continue
			}
			msgs := g.messages["c"+strings.TrimPrefix(o.CustomerID, "u")]
			if !slices.ContainsFunc(msgs, func(m shop.Message) bool {
				return m.From == shop.FromStaff && m.At.Equal(ev.at) && strings.Contains(m.Text, o.ID)
			}) {
				t.Errorf("order %s: no %s in the chat at %v", o.ID, ev.what, ev.at)
			}
		}
	}
}

func convEqual(a, b shop.Conversation) bool {
	return a.ID == b.ID && a.CustomerID == b.CustomerID && a.Nick == b.Nick && a.LastText == b.LastText &&
		a.LastAt.Equal(b.LastAt) && a.WaitingSince.Equal(b.WaitingSince) && a.Unread == b.Unread &&
		a.Assignee == b.Assignee && a.AssignedAt.Equal(b.AssignedAt) && a.Closed == b.Closed &&
		a.ProductID == b.ProductID && a.OrderID == b.OrderID && a.Messages == b.Messages
}

func checkAddr(a shop.Address) error {
	if a.Receiver == "" || a.Province == "" || a.City == "" || a.Detail == "" || !phoneRE.MatchString(a.Phone) {
		return fmt.Errorf("address %+v", a)
	}
	return nil
}

// checkSteps checks a state machine's history: it starts in the first state, every move is
// legal and follows the one before in time, and it ends in state at updated.
func checkSteps(t *testing.T, what string, steps []shop.Step, state string, updated, now time.Time, can func(a, b string) bool) {
	t.Helper()
	if len(steps) == 0 || steps[0].From != "" {
		t.Errorf("%s: history %+v", what, steps)
		return
	}
	for i := 1; i < len(steps); i++ {
		s := steps[i]
		if s.From != steps[i-1].To || !can(s.From, s.To) || s.At.Before(steps[i-1].At) || s.At.After(now) || s.Staff == "" {
			t.Errorf("%s: step %d %+v after %+v", what, i, s, steps[i-1])
		}
	}
	last := steps[len(steps)-1]
	if last.To != state {
		t.Errorf("%s: state %s, history ends in %s", what, state, last.To)
	}
	if !updated.IsZero() && !updated.Equal(last.At) {
		t.Errorf("%s: updated %v, last move %v", what, updated, last.At)
	}
}

func TestSmallIntegrity(t *testing.T) {
	t.Parallel()
	for _, seed := range []int64{1, 2, 3, 20261127} {
		check(t, generate(t, Small, seed, testNow), Small)
	}
}

// TestChattyIntegrity makes a shop shaped like Large, with three conversations per customer.
func TestChattyIntegrity(t *testing.T) {
	t.Parallel()
	s := Size{Customers: 100, Products: 50, VariantsPerProduct: 10, Orders: 500, Conversations: 300,
		Messages: 5000, Reviews: 25, Cases: 10, Complaints: 5}
	check(t, generate(t, s, 11, testNow), s)
}

// TestSmallAtAnyHour generates the demo at night, in the morning and on the first of a year,
// when the off-hours reply and the business-hour rules are most likely to bite.
func TestSmallAtAnyHour(t *testing.T) {
	t.Parallel()
	for _, now := range []time.Time{
		time.Date(2026, 11, 28, 2, 30, 0, 0, shop.ShopZone),
		time.Date(2026, 11, 28, 9, 1, 0, 0, shop.ShopZone),
		time.Date(2026, 11, 28, 22, 10, 0, 0, shop.ShopZone),
		time.Date(2027, 1, 1, 0, 0, 30, 0, time.UTC),
	} {
		check(t, generate(t, Small, 7, now), Small)
	}
}

// TestSmallHasWork checks that the demo shop has what every screen needs to show real work.
func TestSmallHasWork(t *testing.T) {
	t.Parallel()
	for _, seed := range []int64{1, 99} {
		g := generate(t, Small, seed, testNow)
		now := g.now
		count := func(what string, want int, n int) {
			t.Helper()
			if n < want {
				t.Errorf("seed %d: %d %s, want at least %d", seed, n, what, want)
			}
		}
		var unpaid, unchecked, codToCall, reminded, shipped, completed, closed, flagged int
		for _, o := range g.orderList {
			switch {
			case o.Status == shop.StatusUnpaid:
				unpaid++
			case o.Status == shop.StatusPaid && o.Payment == shop.PayOnline && o.AddressCheck == shop.AddressUnchecked:
				unchecked++
			case o.Status == shop.StatusPaid && o.Payment == shop.PayCOD && o.CODCall != shop.CallConfirmed:
				codToCall++
			case o.Status == shop.StatusShipped:
				shipped++
			case o.Status == shop.StatusCompleted:
				completed++
			case o.Status == shop.StatusClosed:
				closed++
			}
			if !o.RemindedAt.IsZero() {
				reminded++
			}
			if o.Flag != shop.FlagGrey {
				flagged++
			}
		}
		count("unpaid orders", 3, unpaid)
		count("paid orders with an unchecked address", 2, unchecked)
		count("COD orders to call", 2, codToCall)
		count("reminded orders", 1, reminded)
		count("shipped orders", 10, shipped)
		count("completed orders", 100, completed)
		count("closed orders", 5, closed)
		count("flagged orders", 20, flagged)

		open, overdueExchange, kinds := 0, 0, map[shop.CaseKind]bool{}
		for _, c := range g.cases {
			kinds[c.Kind] = true
			if !c.Finished() {
				open++
			}
			if c.Kind == shop.CaseExchange && c.Overdue(now) && c.Untouched(now) && now.Sub(c.Due) > 19*24*time.Hour {
				overdueExchange++
			}
		}
		count("open cases", 3, open)
		count("exchanges overdue by about 20 days", 1, overdueExchange)
		count("case kinds", len(shop.CaseKinds), len(kinds))

		var badNew, badNewOld, neutral, good, malicious int
		for _, rv := range g.reviews {
			switch rv.Rating() {
			case shop.RatingBad:
				if rv.State == shop.ReviewNew {
					badNew++
					if rv.Untouched(now, shop.ReviewReminderAfter) {
						badNewOld++
					}
				}
			case shop.RatingNeutral:
				neutral++
			case shop.RatingGood:
				good++
			}
			if rv.State == shop.ReviewMalicious {
				malicious++
			}
		}
		count("bad reviews in state new", 2, badNew)
		count("bad reviews untouched for a day", 1, badNewOld)
		count("neutral reviews", 1, neutral)
		count("good reviews", len(g.reviews)*3/4, good)
		count("malicious reviews", 1, malicious)
		count("evidence items", 2, len(g.evidence))

		cats, states := map[shop.ComplaintCategory]bool{}, map[shop.ComplaintState]bool{}
		for _, c := range g.complaints {
			cats[c.Category], states[c.State] = true, true
		}
		count("complaint categories", 4, len(cats))
		count("complaint states", 4, len(states))

		var waiting, over3, under3, assigned, closedConv int
		for _, c := range g.convs {
			if w := c.Waiting(now); w > 0 {
				waiting++
				if w > 3*time.Minute {
					over3++
				} else {
					under3++
				}
			}
			if c.Assignee != "" {
				assigned++
			}
			if c.Closed {
				closedConv++
			}
		}
		count("waiting customers", 3, waiting)
		count("customers waiting over 3 minutes", 2, over3)
		count("customers waiting under 3 minutes", 2, under3)
		count("assigned conversations", 50, assigned)
		count("closed conversations", 10, closedConv)
		if waiting > 12 {
			t.Errorf("seed %d: %d waiting customers; the demo should show a handful", seed, waiting)
		}

		var low, drift, coats int
		for _, p := range g.products {
			avail := 0
			for _, v := range p.Variants {
				avail += v.Available()
				if v.Drift() != 0 {
					drift++
				}
			}
			if avail <= p.LowStock {
				low++
			}
			if strings.Contains(p.Name, "儿童外套") {
				coats++
			}
		}
		count("low-stock products", 2, low)
		count("variants whose listed stock drifts", 10, drift)
		count("products named 儿童外套", 1, coats)

		var optOut, birthdays, grouped, vip int
		for _, c := range g.customers {
			if c.OptOut {
				optOut++
			}
			if d, ok := c.BirthdayIn(now); ok && d <= 14 {
				birthdays++
			}
			if len(c.Groups) > 0 {
				grouped++
			}
			if c.VIP >= 3 {
				vip++
			}
		}
		count("opted-out customers", 3, optOut)
		count("birthdays in the next two weeks", 2, birthdays)
		count("customers in manual groups", 5, grouped)
		count("customers of VIP 3 and up", 3, vip)
	}
}

func TestValidate(t *testing.T) {
	for _, s := range []Size{
		{Customers: -1},
		{Products: 1, VariantsPerProduct: 0},
		{Products: 1, VariantsPerProduct: 41},
		{Customers: 10, Conversations: 51, Products: 1, VariantsPerProduct: 1},
		{Orders: 1, Products: 1, VariantsPerProduct: 1},
		{Customers: 1, Conversations: 1, Products: 1, VariantsPerProduct: 1, Messages: 1001},
		{Products: maxProducts() + 1, VariantsPerProduct: 1},
	} {
		err := Generate(s, 1, testNow, func(shop.Record) error { return nil })
		if !errors.Is(err, ErrSize) {
			t.Errorf("%+v: err = %v, want ErrSize", s, err)
		}
	}
	if err := Small.Validate(); err != nil {
		t.Errorf("Small: %v", err)
	}
	if err := Large.Validate(); err != nil {
		t.Errorf("Large: %v", err)
	}
}

// TestTinySizes makes shops far smaller than Small, down to none at all: the generator must not
// rely on having many of anything.
func TestTinySizes(t *testing.T) {
	for _, s := range []Size{
		{},
		{Customers: 1, Products: 1, VariantsPerProduct: 1},
		{Customers: 1, Products: 1, VariantsPerProduct: 1, Orders: 3, Conversations: 1, Messages: 1, Reviews: 5, Cases: 5, Complaints: 5},
		{Customers: 12, Products: 3, VariantsPerProduct: 40, Orders: 40, Conversations: 12, Messages: 60, Reviews: 3, Cases: 8, Complaints: 20},
	} {
		g := generate(t, s, 5, testNow)
		if len(g.shop) != 1 || len(g.staff) != 3 || len(g.rules) != 1 {
			t.Errorf("%+v: no shop settings", s)
		}
		s.Messages = 0 // a handful of messages cannot hit a target
		check(t, g, s)
	}
}

func TestEmitError(t *testing.T) {
	boom := errors.New("disk full")
	n := 0
	err := Generate(Small, 1, testNow, func(shop.Record) error {
		n++
		if n == 50 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) || n != 50 {
		t.Fatalf("err = %v after %d records; want the emit error at record 50", err, n)
	}
}
