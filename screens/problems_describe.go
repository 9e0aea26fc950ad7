package screens

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2/lang"

	"kefu/desk"
	"kefu/shop"
)

// problemView is one problem as the staff member reads it: what it is about, what happened in
// one sentence, both versions (the server's now, theirs that was not applied) and what to do.
type problemView struct {
	title    string // the kind and what it was about: "库存盘点 · 儿童外套 · 藏青 120"
	sentence string // what happened, in the window's language
	theirs   string // what the server holds now, "" when there is nothing to compare
	mine     string // what the staff member did, which was not applied
	detail   string // the server's own words, only when the desk does not understand them
	steps    []problemStep
}

// problemAction is a next step a problem offers.
type problemAction int

// The next steps.
const (
	stepCountAgain   problemAction = iota + 1 // open the stock item with its count form
	stepApplyMine                             // record the change again on the server's version
	stepOpenStock                             // open the stock item
	stepOpenOrder                             // open the order
	stepOpenChat                              // open the conversation
	stepOpenReview                            // open the review
	stepOpenCustomer                          // open the customer
)

// problemStep is one button of a problem: what it does and on what.
type problemStep struct {
	action problemAction
	label  string
	target string       // the entity opened (a product, order, conversation, review, customer)
	sku    string       // the variant counted again
	redo   *desk.Action // for stepApplyMine: the change, based on the server's current version
}

// problemFacts are the records a problem is told with: the server's states it conflicted
// with, and the desk's own copy of what it names (the product, the order, the customer …).
type problemFacts map[shop.Ref]shop.Record

// add keeps a record unless one of the same entity is there already (the server's state,
// added first, wins over the desk's copy).
func (f problemFacts) add(r shop.Record) {
	ref := shop.Ref{Type: r.Type, ID: r.ID}
	if _, ok := f[ref]; !ok && !r.Deleted {
		f[ref] = r
	}
}

// factOf decodes the record of entity (t, id) the facts hold.
func factOf[T any](f problemFacts, t shop.EntityType, id string) (T, bool) {
	var v T
	r, ok := f[shop.Ref{Type: t, ID: id}]
	if !ok || id == "" {
		return v, false
	}
	return v, r.Decode(&v) == nil
}

// currentOf decodes the server's state of the problem's entity (type t), from the conflict.
func currentOf[T any](pr desk.Problem, t shop.EntityType) (T, bool) {
	var v T
	for _, r := range pr.Current {
		if r.Type == t && r.ID == pr.Entity && !r.Deleted {
			return v, r.Decode(&v) == nil
		}
	}
	return v, false
}

// payloadOf decodes the problem's payload as a T.
func payloadOf[T any](pr desk.Problem) (T, bool) {
	var p T
	return p, len(pr.Data) > 0 && json.Unmarshal(pr.Data, &p) == nil
}

// problemRefs are the entities a problem is told with beyond its own: the order of a case,
// the customer of a complaint. entity is the problem's entity's record when the facts have it.
func problemRefs(pr desk.Problem, f problemFacts) []shop.Ref {
	spec, _ := pr.Kind.Spec()
	var refs []shop.Ref
	switch spec.Entity {
	case shop.TypeCase:
		if c, ok := factOf[shop.AfterSalesCase](f, shop.TypeCase, pr.Entity); ok {
			refs = append(refs, shop.Ref{Type: shop.TypeOrder, ID: c.OrderID})
		} else if p, ok := payloadOf[shop.CaseOpenData](pr); ok && p.OrderID != "" {
			refs = append(refs, shop.Ref{Type: shop.TypeOrder, ID: p.OrderID})
		}
	case shop.TypeComplaint:
		if c, ok := factOf[shop.Complaint](f, shop.TypeComplaint, pr.Entity); ok {
			refs = append(refs, shop.Ref{Type: shop.TypeCustomer, ID: c.CustomerID})
		}
	case shop.TypeEvidence:
		if p, ok := payloadOf[shop.Evidence](pr); ok {
			refs = append(refs, shop.Ref{Type: shop.TypeReview, ID: p.ReviewID})
		}
	}
	return refs
}

// describeProblem tells a problem in the window's language, with the facts read for it, at
// now (times today show as the time only).
func describeProblem(pr desk.Problem, f problemFacts, now time.Time) problemView {
	v := problemView{title: joinNonEmpty(" · ", kindName(pr.Kind), problemSubject(pr, f))}
	v.mine = describeMine(pr, f)
	if pr.Status == desk.ProblemRejected {
		v.sentence, v.detail = rejectionSentence(pr)
		v.steps = openSteps(pr, f)
		return v
	}
	if len(pr.Current) > 0 {
		v.theirs = describeTheirs(pr, f, now)
	}
	v.sentence, v.steps = conflictSentence(pr, f, now)
	if v.sentence == "" {
		v.sentence = genericConflict(pr, now)
		v.steps = openSteps(pr, f)
		if r := strings.TrimSpace(pr.Reason); r != "" && shop.ParseReason(r).Code == shop.ReasonUnknown {
			v.detail = r // words the desk does not know: shown as they came, small, under the sentence
		}
	}
	return v
}

// when is an instant as the problem sentences say it: the time today, else the date and time.
func when(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmtWhen(t, now)
}

// problemSubject names what the problem is about the way a person knows it.
func problemSubject(pr desk.Problem, f problemFacts) string {
	spec, _ := pr.Kind.Spec()
	id := pr.Entity
	switch spec.Entity {
	case shop.TypeProduct:
		p, ok := factOf[shop.Product](f, shop.TypeProduct, id)
		if !ok {
			return ""
		}
		sku := skuOf(pr)
		if vr, ok := p.Variant(sku); ok {
			return joinNonEmpty(" · ", p.Name, vr.Label())
		}
		return p.Name
	case shop.TypeOrder:
		o, _ := factOf[shop.Order](f, shop.TypeOrder, id)
		return joinNonEmpty(" · ", fmt.Sprintf(lang.L("Order %s"), id), o.Nick)
	case shop.TypeConversation:
		c, _ := factOf[shop.Conversation](f, shop.TypeConversation, id)
		return c.Nick
	case shop.TypeReview:
		if r, ok := factOf[shop.Review](f, shop.TypeReview, id); ok {
			return joinNonEmpty(" · ", fmt.Sprintf(lang.L("review by %s"), r.Nick), stars(r.Stars))
		}
	case shop.TypeCase:
		if c, ok := factOf[shop.AfterSalesCase](f, shop.TypeCase, id); ok {
			o, _ := factOf[shop.Order](f, shop.TypeOrder, c.OrderID)
			return joinNonEmpty(" · ", caseKindName(c.Kind), fmt.Sprintf(lang.L("Order %s"), c.OrderID), o.Nick)
		}
		if p, ok := payloadOf[shop.CaseOpenData](pr); ok {
			return joinNonEmpty(" · ", caseKindName(p.Kind), fmt.Sprintf(lang.L("Order %s"), p.OrderID))
		}
	case shop.TypeComplaint:
		if c, ok := factOf[shop.Complaint](f, shop.TypeComplaint, id); ok {
			cu, _ := factOf[shop.Customer](f, shop.TypeCustomer, c.CustomerID)
			return joinNonEmpty(" · ", complaintCategoryName(c.Category), cu.Nick)
		}
	case shop.TypeCustomer:
		if c, ok := factOf[shop.Customer](f, shop.TypeCustomer, id); ok {
			return c.Nick
		}
		var p struct {
			Nick string `json:"nick"`
		}
		if json.Unmarshal(pr.Data, &p) == nil {
			return p.Nick
		}
	case shop.TypePhrase:
		if p, ok := factOf[shop.QuickPhrase](f, shop.TypePhrase, id); ok {
			return joinNonEmpty(" · ", p.Shortcut, truncRunes(oneLine(p.Text), 30))
		}
	case shop.TypeGroup:
		if g, ok := factOf[shop.Group](f, shop.TypeGroup, id); ok {
			return g.Name
		}
	case shop.TypeEvidence:
		if p, ok := payloadOf[shop.Evidence](pr); ok {
			r, _ := factOf[shop.Review](f, shop.TypeReview, p.ReviewID)
			return joinNonEmpty(" · ", p.Title, r.Nick)
		}
	}
	return ""
}

// skuOf is the SKU a stock problem's payload names.
func skuOf(pr desk.Problem) string {
	var p struct {
		SKU string `json:"sku"`
	}
	_ = json.Unmarshal(pr.Data, &p) // a payload without a SKU names none
	return p.SKU
}

// conflictSentence says what happened for the conflicts the rules can answer with, and the
// steps that fit; "" for one the desk does not know (genericConflict tells it).
func conflictSentence(pr desk.Problem, f problemFacts, now time.Time) (string, []problemStep) {
	by, at := pr.By, when(pr.At, now)
	dismissOnly := openSteps(pr, f)
	switch pr.Kind {
	case shop.KindStockSet:
		p, ok := payloadOf[shop.StockSet](pr)
		cur, okc := currentOf[shop.Product](pr, shop.TypeProduct)
		if !ok || !okc {
			return "", nil
		}
		vr, okv := cur.Variant(p.SKU)
		if !okv {
			return "", nil
		}
		var s string
		if by != "" && at != "" {
			s = fmt.Sprintf(lang.L("%[1]s changed the warehouse stock to %[3]d at %[2]s; your count of %[4]d was not recorded."),
				staffLabel(by), at, vr.Warehouse, p.Warehouse)
		} else {
			s = fmt.Sprintf(lang.L("The warehouse stock is %[1]d now, not the %[2]d you counted against; your count of %[3]d was not recorded."),
				vr.Warehouse, p.Expected, p.Warehouse)
		}
		redo := desk.Action{Kind: shop.KindStockSet, Entity: pr.Entity,
			Data: shop.StockSet{SKU: p.SKU, Expected: vr.Warehouse, Warehouse: p.Warehouse, Reason: p.Reason}}
		return s, []problemStep{
			{action: stepCountAgain, label: lang.L("Count again"), target: pr.Entity, sku: p.SKU},
			{action: stepApplyMine, label: fmt.Sprintf(lang.L("Set it to my %d"), p.Warehouse), redo: &redo},
		}
	case shop.KindStockAdjust:
		p, ok := payloadOf[shop.StockAdjust](pr)
		cur, okc := currentOf[shop.Product](pr, shop.TypeProduct)
		if !ok || !okc {
			return "", nil
		}
		vr, okv := cur.Variant(p.SKU)
		if !okv {
			return "", nil
		}
		s := fmt.Sprintf(lang.L("Only %[1]d left in the warehouse, so %[2]d cannot be taken away; your adjustment was not recorded."),
			vr.Warehouse, -p.Delta)
		if by != "" && at != "" {
			s = fmt.Sprintf(lang.L("%[1]s changed the stock at %[2]s: only %[3]d left in the warehouse, so %[4]d cannot be taken away; your adjustment was not recorded."),
				staffLabel(by), at, vr.Warehouse, -p.Delta)
		}
		return s, []problemStep{{action: stepOpenStock, label: lang.L("Open the stock item"), target: pr.Entity, sku: p.SKU}}
	case shop.KindChatClaim:
		cur, ok := currentOf[shop.Conversation](pr, shop.TypeConversation)
		if !ok || cur.Assignee == "" {
			return "", nil
		}
		s := fmt.Sprintf(lang.L("%[1]s took this conversation at %[2]s; it stays with them."), staffLabel(cur.Assignee), when(cur.AssignedAt, now))
		if cur.AssignedAt.IsZero() {
			s = fmt.Sprintf(lang.L("%s took this conversation first; it stays with them."), staffLabel(cur.Assignee))
		}
		return s, dismissOnly
	case shop.KindReviewMove, shop.KindCaseMove, shop.KindComplaintMove:
		return moveSentence(pr, f, now)
	case shop.KindOrderAddress, shop.KindOrderRemind, shop.KindOrderClose, shop.KindOrderShipNote:
		return orderSentence(pr, f, now)
	}
	return "", nil
}

// moveSentence tells a state machine's conflict: someone moved it first, or the move is not
// one it can make. Moving to the wanted state from where it is now is offered when allowed.
func moveSentence(pr desk.Problem, f problemFacts, now time.Time) (string, []problemStep) {
	p, ok := payloadOf[shop.Move](pr)
	if !ok {
		return "", nil
	}
	var state string
	var steps []shop.Step
	var can func(from, to string) bool
	var thing string
	switch pr.Kind {
	case shop.KindReviewMove:
		r, ok := currentOf[shop.Review](pr, shop.TypeReview)
		if !ok {
			return "", nil
		}
		state, steps, thing = string(r.State), r.Steps, lang.L("this review")
		can = func(a, b string) bool { return shop.CanMoveReview(shop.ReviewState(a), shop.ReviewState(b)) }
	case shop.KindCaseMove:
		c, ok := currentOf[shop.AfterSalesCase](pr, shop.TypeCase)
		if !ok {
			return "", nil
		}
		state, steps, thing = string(c.State), c.Steps, lang.L("this after-sales case")
		can = func(a, b string) bool { return shop.CanMoveCase(shop.CaseState(a), shop.CaseState(b)) }
	default:
		c, ok := currentOf[shop.Complaint](pr, shop.TypeComplaint)
		if !ok {
			return "", nil
		}
		state, steps, thing = string(c.State), c.Steps, lang.L("this complaint")
		can = func(a, b string) bool { return shop.CanMoveComplaint(shop.ComplaintState(a), shop.ComplaintState(b)) }
	}
	name := func(s string) string { return moveStateName(pr.Kind, s) }
	var s string
	switch {
	case state != p.From && len(steps) > 0 && steps[len(steps)-1].Staff != "":
		last := steps[len(steps)-1]
		s = fmt.Sprintf(lang.L("%[1]s moved %[2]s to “%[3]s” at %[4]s; your move from “%[5]s” to “%[6]s” was not recorded."),
			staffLabel(last.Staff), thing, name(state), when(last.At, now), name(p.From), name(p.To))
	case state != p.From:
		s = fmt.Sprintf(lang.L("%[1]s is “%[2]s” now; your move from “%[3]s” to “%[4]s” was not recorded."),
			capitalize(thing), name(state), name(p.From), name(p.To))
	default:
		s = fmt.Sprintf(lang.L("%[1]s cannot go from “%[2]s” to “%[3]s”; your move was not recorded."),
			capitalize(thing), name(state), name(p.To))
	}
	out := openSteps(pr, f)
	if state != p.To && can(state, p.To) {
		redo := desk.Action{Kind: pr.Kind, Entity: pr.Entity, Data: shop.Move{From: state, To: p.To, Note: p.Note}}
		out = append([]problemStep{{action: stepApplyMine, label: fmt.Sprintf(lang.L("Move it to “%s” anyway"), name(p.To)), redo: &redo}}, out...)
	}
	return s, out
}

// capitalize makes an English sentence start with a capital letter (Chinese has none).
func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// moveStateName translates a state of the machine a move kind moves.
func moveStateName(k shop.Kind, s string) string {
	switch k {
	case shop.KindReviewMove:
		return reviewStateName(shop.ReviewState(s))
	case shop.KindCaseMove:
		return caseStateName(shop.CaseState(s))
	case shop.KindComplaintMove:
		return complaintStateName(shop.ComplaintState(s))
	}
	return s
}

// sendAgain puts a "send it again" step (labelled label) before the open steps: the refused
// order message recorded once more as a new message, forced past the once-a-day rule by force.
// Without the refused payload only the open steps remain.
func sendAgain[P any](pr desk.Problem, label string, open []problemStep, force func(*P)) []problemStep {
	p, ok := payloadOf[P](pr)
	if !ok {
		return open
	}
	force(&p)
	redo := desk.Action{Kind: pr.Kind, Entity: pr.Entity, BaseOf: shop.TypeOrder, Data: p}
	return append([]problemStep{{action: stepApplyMine, label: label, redo: &redo}}, open...)
}

// orderSentence tells an order action's conflict: the order moved on, or the reminder or
// notice went out already (then sending it again is offered).
func orderSentence(pr desk.Problem, f problemFacts, now time.Time) (string, []problemStep) {
	o, ok := currentOf[shop.Order](pr, shop.TypeOrder)
	if !ok {
		return "", nil
	}
	open := openSteps(pr, f)
	status := statusName(o.Status)
	switch pr.Kind {
	case shop.KindOrderAddress:
		return fmt.Sprintf(lang.L("Order %[1]s is “%[2]s” now, so its address can no longer change; your address check was not recorded."), o.ID, status), open
	case shop.KindOrderClose:
		return fmt.Sprintf(lang.L("Order %[1]s is “%[2]s” now; only unpaid orders can be closed, so it was not closed."), o.ID, status), open
	case shop.KindOrderRemind:
		if o.Status != shop.StatusUnpaid {
			return fmt.Sprintf(lang.L("Order %[1]s is “%[2]s” now, so your payment reminder was not sent."), o.ID, status), open
		}
		s := fmt.Sprintf(lang.L("Order %[1]s was already reminded at %[2]s, so your reminder was not sent."), o.ID, when(o.RemindedAt, now))
		return s, sendAgain(pr, lang.L("Remind again"), open, func(p *shop.Remind) { p.Force, p.MessageID = true, shop.NewID() })
	case shop.KindOrderShipNote:
		if o.Status != shop.StatusShipped {
			return fmt.Sprintf(lang.L("Order %[1]s is “%[2]s” now, not shipped, so your shipment notice was not sent."), o.ID, status), open
		}
		s := fmt.Sprintf(lang.L("The shipment notice of order %[1]s went out already at %[2]s, so yours was not sent."), o.ID, when(o.ShipNoticeAt, now))
		return s, sendAgain(pr, lang.L("Send it again"), open, func(p *shop.ShipNotice) { p.Force, p.MessageID = true, shop.NewID() })
	}
	return "", nil
}

// genericConflict tells a conflict the desk has no sentence of its own for.
func genericConflict(pr desk.Problem, now time.Time) string {
	if pr.By != "" && !pr.At.IsZero() {
		return fmt.Sprintf(lang.L("%[1]s changed this at %[2]s, before your “%[3]s” reached the server; yours was not recorded."),
			staffLabel(pr.By), when(pr.At, now), kindName(pr.Kind))
	}
	return fmt.Sprintf(lang.L("This changed on the server before your “%s” reached it; yours was not recorded."), kindName(pr.Kind))
}

// openSteps is the step that opens what the problem is about, where the desk has a place
// for it.
func openSteps(pr desk.Problem, f problemFacts) []problemStep {
	spec, _ := pr.Kind.Spec()
	id := pr.Entity
	switch spec.Entity {
	case shop.TypeProduct:
		return []problemStep{{action: stepOpenStock, label: lang.L("Open the stock item"), target: id, sku: skuOf(pr)}}
	case shop.TypeOrder:
		return []problemStep{{action: stepOpenOrder, label: lang.L("Open the order"), target: id}}
	case shop.TypeConversation:
		return []problemStep{{action: stepOpenChat, label: lang.L("Open the conversation"), target: id}}
	case shop.TypeReview:
		return []problemStep{{action: stepOpenReview, label: lang.L("Open the review"), target: id}}
	case shop.TypeCase:
		if c, ok := factOf[shop.AfterSalesCase](f, shop.TypeCase, id); ok {
			return []problemStep{{action: stepOpenOrder, label: lang.L("Open the order"), target: c.OrderID}}
		}
		if p, ok := payloadOf[shop.CaseOpenData](pr); ok && p.OrderID != "" {
			return []problemStep{{action: stepOpenOrder, label: lang.L("Open the order"), target: p.OrderID}}
		}
	case shop.TypeComplaint:
		if c, ok := factOf[shop.Complaint](f, shop.TypeComplaint, id); ok {
			return []problemStep{{action: stepOpenCustomer, label: lang.L("Open the customer"), target: c.CustomerID}}
		}
		if p, ok := payloadOf[shop.Complaint](pr); ok && p.CustomerID != "" {
			return []problemStep{{action: stepOpenCustomer, label: lang.L("Open the customer"), target: p.CustomerID}}
		}
	case shop.TypeCustomer:
		if _, ok := factOf[shop.Customer](f, shop.TypeCustomer, id); ok {
			return []problemStep{{action: stepOpenCustomer, label: lang.L("Open the customer"), target: id}}
		}
	case shop.TypeEvidence:
		if p, ok := payloadOf[shop.Evidence](pr); ok && p.ReviewID != "" {
			return []problemStep{{action: stepOpenReview, label: lang.L("Open the review"), target: p.ReviewID}}
		}
	}
	return nil
}

// rejectionSentence says why the server refused the action, from the reason's code; detail
// is the server's own words when the desk does not know them.
func rejectionSentence(pr desk.Problem) (sentence, detail string) {
	r := shop.ParseReason(pr.Reason)
	why := reasonText(r)
	if why == "" {
		return fmt.Sprintf(lang.L("The server did not accept your “%s”."), kindName(pr.Kind)), strings.TrimSpace(pr.Reason)
	}
	return fmt.Sprintf(lang.L("The server did not accept your “%[1]s”: %[2]s."), kindName(pr.Kind), why), ""
}

// reasonText is a refusal's reason in words (no final full stop), "" for one the desk does
// not know.
func reasonText(r shop.Reason) string {
	a := r.Arg
	switch r.Code {
	case shop.ReasonUnknownKind:
		return lang.L("the shop's server is older than this desk and does not know this action yet; ask for the server to be updated")
	case shop.ReasonEmpty:
		return fmt.Sprintf(lang.L("%s cannot be empty"), fieldLabel(a(0)))
	case shop.ReasonTooLong:
		if a(0) == "greeting" {
			return fmt.Sprintf(lang.L("the greeting has %[1]s lines; at most %[2]s"), a(1), a(2))
		}
		return fmt.Sprintf(lang.L("%[1]s has %[2]s characters; at most %[3]s"), fieldLabel(a(0)), a(1), a(2))
	case shop.ReasonBadText:
		return fmt.Sprintf(lang.L("%s contains characters that cannot be stored"), fieldLabel(a(0)))
	case shop.ReasonNotFound:
		return fmt.Sprintf(lang.L("this %s no longer exists on the server"), typeName(shop.EntityType(a(0))))
	case shop.ReasonExists:
		return fmt.Sprintf(lang.L("this %s exists on the server already"), typeName(shop.EntityType(a(0))))
	case shop.ReasonUnknownValue:
		return fmt.Sprintf(lang.L("the server does not know the %[1]s “%[2]s”"), fieldLabel(a(0)), a(1))
	case shop.ReasonOutOfRange:
		return fmt.Sprintf(lang.L("%s is out of range"), fieldLabel(a(0)))
	case shop.ReasonTooMany:
		return fmt.Sprintf(lang.L("too many %s"), fieldLabel(a(0)))
	case shop.ReasonTooBig:
		if n, err := strconv.Atoi(a(0)); err == nil {
			most, _ := strconv.Atoi(a(1))
			return fmt.Sprintf(lang.L("the file is %[1]s; at most %[2]s"), byteSize(n), byteSize(most))
		}
		return lang.L("it is too large for the server")
	case shop.ReasonBadPhone:
		return fmt.Sprintf(lang.L("“%s” is not a phone number"), a(0))
	case shop.ReasonBadEmail:
		return fmt.Sprintf(lang.L("“%s” is not an e-mail address"), a(0))
	case shop.ReasonBadBirthday:
		return fmt.Sprintf(lang.L("the birthday “%s” is not written as MM-DD or YYYY-MM-DD"), a(0))
	case shop.ReasonBadHours:
		return lang.L("the business hours are not a range within one day")
	case shop.ReasonNoField:
		return lang.L("nothing was changed")
	case shop.ReasonNoAddress:
		return lang.L("a changed address needs the new address")
	case shop.ReasonNotCOD:
		return fmt.Sprintf(lang.L("order %s is not cash on delivery"), a(0))
	case shop.ReasonNotYours:
		if a(1) != "" {
			return fmt.Sprintf(lang.L("it is the personal phrase of %s; only they can change it"), staffLabel(a(1)))
		}
		return lang.L("a personal phrase can only be written by its owner")
	case shop.ReasonNotCompleted:
		return fmt.Sprintf(lang.L("the buyer can be reviewed only after order %s is completed"), a(0))
	case shop.ReasonNoConversation:
		return lang.L("contacting the buyer needs the buyer's conversation")
	case shop.ReasonWrongConversation:
		return lang.L("the conversation is not with this review's buyer")
	case shop.ReasonBadHash:
		return lang.L("the file arrived damaged")
	case shop.ReasonNoSKU:
		return fmt.Sprintf(lang.L("the product has no variant %s any more"), a(1))
	case shop.ReasonBadQuantity:
		return fmt.Sprintf(lang.L("%s is not a sensible quantity"), a(1))
	case shop.ReasonNotEnoughStock:
		return fmt.Sprintf(lang.L("only %[1]s left in the warehouse; %[2]s cannot be taken away"), a(1), a(2))
	case shop.ReasonStockChanged:
		return fmt.Sprintf(lang.L("the warehouse stock is %[1]s now, not %[2]s"), a(1), a(2))
	case shop.ReasonClaimed:
		return fmt.Sprintf(lang.L("%s took this conversation first"), staffLabel(a(0)))
	case shop.ReasonOrderStatus:
		return fmt.Sprintf(lang.L("order %[1]s is “%[2]s” now"), a(0), statusName(shop.OrderStatus(a(1))))
	case shop.ReasonAlreadyReminded:
		return fmt.Sprintf(lang.L("order %[1]s was already reminded at %[2]s"), a(0), a(1))
	case shop.ReasonAlreadyNotified:
		return fmt.Sprintf(lang.L("the shipment notice of order %[1]s went out already at %[2]s"), a(0), a(1))
	case shop.ReasonMovedMeanwhile, shop.ReasonIllegalMove:
		return lang.L("its state changed on the server")
	case shop.ReasonBadID, shop.ReasonBadBase, shop.ReasonNoData, shop.ReasonBadData, shop.ReasonWrongEntity, shop.ReasonUnsendable:
		return lang.L("the desk sent it in a form the server cannot read; please tell whoever looks after Kefu Desk")
	case shop.ReasonRefused:
		return lang.L("it gave no reason")
	}
	return teamReasonText(r)
}

// byteSize is a size in bytes as a person reads it.
func byteSize(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// typeName is an entity type in words.
func typeName(t shop.EntityType) string {
	switch t {
	case shop.TypeProduct:
		return lang.L("entity.product")
	case shop.TypeOrder:
		return lang.L("entity.order")
	case shop.TypeCustomer:
		return lang.L("entity.customer")
	case shop.TypeConversation:
		return lang.L("entity.conversation")
	case shop.TypeReview:
		return lang.L("entity.review")
	case shop.TypeCase:
		return lang.L("entity.case")
	case shop.TypeComplaint:
		return lang.L("entity.complaint")
	case shop.TypePhrase:
		return lang.L("entity.phrase")
	case shop.TypeGroup:
		return lang.L("entity.group")
	case shop.TypeStaff:
		return lang.L("entity.staff")
	case shop.TypeNote:
		return lang.L("entity.note")
	case shop.TypeMessage:
		return lang.L("entity.message")
	case shop.TypeEvidence:
		return lang.L("entity.evidence")
	}
	return lang.L("entity.record")
}

// fieldLabels translate the names the rules and payloads give fields (JSON names and the
// rules' words) into the desk's labels; a field not listed is not shown.
var fieldLabels = map[string]string{
	"address":             "field.address",
	"address check":       "field.address_check",
	"after-sales kind":    "field.case_kind",
	"call outcome":        "field.call_outcome",
	"card title":          "field.card_title",
	"city":                "field.city",
	"complaint category":  "field.category",
	"courier":             "field.courier",
	"delta":               "field.delta",
	"description":         "field.description",
	"district":            "field.district",
	"evidence kind":       "field.evidence_kind",
	"expected":            "field.expected",
	"flag":                "field.flag",
	"group name":          "field.group_name",
	"group rule":          "field.group_rule",
	"keyword":             "field.keyword",
	"keyword replies":     "field.keyword_replies",
	"keyword reply":       "field.keyword_reply",
	"low_stock":           "field.low_stock",
	"memo":                "field.memo",
	"message":             "field.message",
	"name":                "field.name",
	"nick":                "field.nick",
	"note":                "field.note",
	"off-hours reply":     "field.off_hours",
	"phone":               "field.phone",
	"phrase":              "field.phrase",
	"province":            "field.province",
	"reason":              "field.reason",
	"receiver":            "field.receiver",
	"reply":               "field.reply",
	"review of the buyer": "field.buyer_review",
	"shortcut":            "field.shortcut",
	"sku":                 "field.sku",
	"staff number":        "field.staff",
	"stars":               "field.stars",
	"summary":             "field.summary",
	"tag":                 "field.tag",
	"tags or groups":      "field.tags_groups",
	"text":                "field.text",
	"time zone":           "field.time_zone",
	"title":               "field.title",
	"to":                  "field.to",
	"VIP level":           "field.vip",
	"vip":                 "field.vip",
	"warehouse":           "field.warehouse",
	"zip":                 "field.zip",
}

// fieldLabel is a field's label; a field the desk does not know is called "a field".
func fieldLabel(name string) string {
	if k, ok := fieldLabels[name]; ok {
		return lang.L(k)
	}
	return lang.L("field.other")
}

// describeMine says what the staff member did, which was not applied.
func describeMine(pr desk.Problem, f problemFacts) string {
	switch pr.Kind {
	case shop.KindStockSet:
		if p, ok := payloadOf[shop.StockSet](pr); ok {
			return joinNonEmpty(" · ", fmt.Sprintf(lang.L("counted %[1]d (the warehouse showed %[2]d)"), p.Warehouse, p.Expected),
				labelled("reason", p.Reason))
		}
	case shop.KindStockAdjust:
		if p, ok := payloadOf[shop.StockAdjust](pr); ok {
			return joinNonEmpty(" · ", fmt.Sprintf(lang.L("stock %+d"), p.Delta), labelled("reason", p.Reason))
		}
	case shop.KindStockLow:
		if p, ok := payloadOf[shop.StockThreshold](pr); ok {
			return fmt.Sprintf(lang.L("low-stock threshold %d"), p.LowStock)
		}
	case shop.KindOrderNote:
		if p, ok := payloadOf[shop.OrderNoteAdd](pr); ok {
			return joinNonEmpty(" · ", flagName(p.Flag), oneLine(p.Text), labelled("reason", p.Reason))
		}
	case shop.KindOrderAddress:
		if p, ok := payloadOf[shop.AddressCheckSet](pr); ok {
			s := lang.L("Address confirmed")
			if p.Result == shop.AddressChanged && p.Address != nil {
				s = lang.L("Address changed") + ": " + p.Address.String()
			}
			return joinNonEmpty(" · ", s, labelled("courier", p.Courier))
		}
	case shop.KindOrderCODCall:
		if p, ok := payloadOf[shop.CODCall](pr); ok {
			return systemNoteText(string(p.Outcome))
		}
	case shop.KindOrderClose:
		if p, ok := payloadOf[shop.OrderCloseData](pr); ok {
			return labelled("reason", p.Reason)
		}
	case shop.KindOrderRemind:
		if p, ok := payloadOf[shop.Remind](pr); ok {
			return oneLine(p.Text)
		}
	case shop.KindOrderShipNote:
		if p, ok := payloadOf[shop.ShipNotice](pr); ok {
			return oneLine(p.Text)
		}
	case shop.KindChatSend:
		if p, ok := payloadOf[shop.ChatSend](pr); ok {
			if p.Card != nil && p.Text == "" {
				return p.Card.Title
			}
			return oneLine(p.Text)
		}
	case shop.KindChatClaim:
		return lang.L("you took the conversation")
	case shop.KindChatTransfer:
		if p, ok := payloadOf[shop.ChatTransfer](pr); ok {
			return fmt.Sprintf(lang.L("handed to %s"), staffLabel(p.To))
		}
	case shop.KindReviewMove, shop.KindCaseMove, shop.KindComplaintMove:
		if p, ok := payloadOf[shop.Move](pr); ok {
			return joinNonEmpty(" · ", moveStateName(pr.Kind, p.From)+" → "+moveStateName(pr.Kind, p.To), labelled("note", p.Note))
		}
	case shop.KindReviewReply:
		if p, ok := payloadOf[shop.ReviewReplyData](pr); ok {
			return oneLine(p.Text)
		}
	case shop.KindReviewBuyer:
		if p, ok := payloadOf[shop.ReviewBuyerData](pr); ok {
			return joinNonEmpty(" · ", stars(p.Stars), oneLine(p.Text))
		}
	case shop.KindCaseOpen:
		if p, ok := payloadOf[shop.CaseOpenData](pr); ok {
			return joinNonEmpty(" · ", caseKindName(p.Kind), oneLine(p.Summary))
		}
	}
	return labelledFields(pr.Data)
}

// labelled is "label: value", or "" for an empty value.
func labelled(field, value string) string {
	if strings.TrimSpace(value) == "" {
		return ""
	}
	return fmt.Sprintf(lang.L("%[1]s: %[2]s"), fieldLabel(field), oneLine(value))
}

// labelledFields shows a payload's plain fields the desk has labels for, "label: value · …",
// at most 200 characters; ids and fields without a label are left out, so no raw field name
// reaches the window.
func labelledFields(data json.RawMessage) string {
	var m map[string]any
	if len(data) == 0 || json.Unmarshal(data, &m) != nil {
		return ""
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		if _, ok := fieldLabels[k]; ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		switch v := m[k].(type) {
		case string:
			parts = append(parts, labelled(k, v))
		case float64:
			parts = append(parts, labelled(k, strconv.FormatFloat(v, 'f', -1, 64)))
		case bool:
			if v {
				parts = append(parts, fieldLabel(k))
			}
		}
	}
	return truncRunes(joinNonEmpty(" · ", parts...), 200)
}

// truncRunes cuts s to at most n characters, ending in … when it was cut.
func truncRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// describeTheirs says what the server holds now, for the fields the problem is about, and who
// made it so.
func describeTheirs(pr desk.Problem, f problemFacts, now time.Time) string {
	who := func(staff string, at time.Time) string {
		if staff == "" {
			return ""
		}
		if at.IsZero() {
			return staffLabel(staff)
		}
		return fmt.Sprintf(lang.L("%[1]s at %[2]s"), staffLabel(staff), when(at, now))
	}
	for _, rec := range pr.Current {
		if rec.Deleted {
			return fmt.Sprintf(lang.L("this %s was deleted"), typeName(rec.Type))
		}
		switch rec.Type {
		case shop.TypeProduct:
			var p shop.Product
			if rec.Decode(&p) != nil {
				continue
			}
			if vr, ok := p.Variant(skuOf(pr)); ok {
				return joinNonEmpty(" · ", fmt.Sprintf(lang.L("warehouse stock %d"), vr.Warehouse), who(p.UpdatedBy, p.UpdatedAt))
			}
			return joinNonEmpty(" · ", p.Name, who(p.UpdatedBy, p.UpdatedAt))
		case shop.TypeOrder:
			var o shop.Order
			if rec.Decode(&o) != nil {
				continue
			}
			parts := []string{statusName(o.Status), o.Total.String()}
			switch pr.Kind {
			case shop.KindOrderRemind:
				if !o.RemindedAt.IsZero() {
					parts = append(parts, fmt.Sprintf(lang.L("reminded at %s"), when(o.RemindedAt, now)))
				}
			case shop.KindOrderShipNote:
				if !o.ShipNoticeAt.IsZero() {
					parts = append(parts, fmt.Sprintf(lang.L("shipment notice sent at %s"), when(o.ShipNoticeAt, now)))
				}
			default:
				parts = append(parts, flagName(o.Flag), who(o.FlagBy, o.FlagAt))
			}
			return joinNonEmpty(" · ", parts...)
		case shop.TypeConversation:
			var c shop.Conversation
			if rec.Decode(&c) != nil {
				continue
			}
			if c.Assignee == "" {
				return lang.L("Unassigned")
			}
			return fmt.Sprintf(lang.L("with %[1]s since %[2]s"), staffLabel(c.Assignee), when(c.AssignedAt, now))
		case shop.TypeReview:
			var r shop.Review
			if rec.Decode(&r) == nil {
				return joinNonEmpty(" · ", reviewStateName(r.State), lastStep(r.Steps, who))
			}
		case shop.TypeCase:
			var c shop.AfterSalesCase
			if rec.Decode(&c) == nil {
				return joinNonEmpty(" · ", caseStateName(c.State), lastStep(c.Steps, who))
			}
		case shop.TypeComplaint:
			var c shop.Complaint
			if rec.Decode(&c) == nil {
				return joinNonEmpty(" · ", complaintStateName(c.State), lastStep(c.Steps, who))
			}
		}
	}
	if pr.By != "" {
		return who(pr.By, pr.At)
	}
	return ""
}

// lastStep is who made a state machine's last step, and when.
func lastStep(steps []shop.Step, who func(string, time.Time) string) string {
	if len(steps) == 0 {
		return ""
	}
	s := steps[len(steps)-1]
	return who(s.Staff, s.At)
}

// reasonSentence is a rule's refusal or conflict reason as a sentence in the window's
// language, or the reason as it came when the desk does not know it.
func reasonSentence(reason string) string {
	if why := reasonText(shop.ParseReason(reason)); why != "" {
		return fmt.Sprintf(lang.L("%s."), capitalize(why))
	}
	return reason
}
