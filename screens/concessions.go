package screens

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kefu/desk"
	"kefu/shop"
)

// Concessions: a staff member gives a price cut, free shipping or a small refund on an order
// from the chat (the customer's order) or from the order itself. Within her limits it is
// applied at once and noted on the order; above them it is a request a manager approves or
// declines from the approvals list, and she sees the answer in the chat panel and in a
// notification. The server decides with its own totals: what this desk shows as applied may
// come back as a request.

// concessionReasons are the reasons offered; any other can be typed.
var concessionReasons = []string{"A few yuan short of free shipping", "Regular customer", "Small flaw in the item", "Parcel was late"}

// concessionKindName is a concession kind in words.
func concessionKindName(k shop.ConcessionKind) string {
	switch k {
	case shop.ConcessionFreeShipping:
		return lang.L("Free shipping")
	case shop.ConcessionPriceCut:
		return lang.L("Price cut")
	case shop.ConcessionRefund:
		return lang.L("Small refund")
	}
	return string(k)
}

// concessionStateName is a concession's state in words.
func concessionStateName(s shop.ConcessionState) string {
	switch s {
	case shop.ConcessionApplied:
		return lang.L("Applied")
	case shop.ConcessionRequested:
		return lang.L("Waiting for a manager")
	case shop.ConcessionApproved:
		return lang.L("Approved")
	case shop.ConcessionDeclined:
		return lang.L("Declined")
	}
	return string(s)
}

func concessionStateImportance(s shop.ConcessionState) widget.Importance {
	switch s {
	case shop.ConcessionRequested:
		return widget.WarningImportance
	case shop.ConcessionDeclined:
		return widget.DangerImportance
	}
	return widget.SuccessImportance
}

// concessionChoice is what the concession dialog offers: the orders to give on and the
// room left on each.
type concessionChoice struct {
	orders []shop.Order
	rooms  []desk.ConcessionRoom
}

// giveConcession opens the Concession dialog for one of orders (the first chosen), asked in
// conversation convID ("" when not from a chat).
func (t *teamWork) giveConcession(customerID string, orderIDs []string, convID string) {
	staff, now := t.env.staff.Number, t.env.now()
	background(t.env, func(ctx context.Context) (concessionChoice, error) {
		var c concessionChoice
		add := func(o shop.Order) {
			for _, k := range shop.ConcessionKinds {
				if shop.ConcessionAllowed(o, k) {
					c.orders = append(c.orders, o)
					return
				}
			}
		}
		for _, id := range orderIDs {
			if o, err := t.data.Order(ctx, id); err == nil {
				add(o)
			}
		}
		if customerID != "" {
			os, err := t.data.OrdersOf(ctx, customerID, panelOrders)
			if err != nil {
				return c, err
			}
			for _, o := range os {
				if indexOf(orderIDs, o.ID) < 0 {
					add(o)
				}
			}
		}
		for _, o := range c.orders {
			r, err := t.data.ConcessionRoom(ctx, staff, o, now)
			if err != nil {
				return c, err
			}
			c.rooms = append(c.rooms, r)
		}
		return c, nil
	}, func(c concessionChoice, err error) {
		switch {
		case err != nil:
			t.inform(lang.L("Concession"), fmt.Sprintf(lang.L("Could not read the orders: %v"), err))
		case len(c.orders) == 0:
			t.inform(lang.L("Concession"), lang.L("No order of this customer can take a concession now (closed orders cannot)."))
		default:
			t.askConcession(c, convID)
		}
	})
}

// askConcession is the form of giveConcession.
func (t *teamWork) askConcession(c concessionChoice, convID string) {
	names := make([]string, len(c.orders))
	for i, o := range c.orders {
		names[i] = joinNonEmpty(" · ", o.ID, orderStateName(o), o.Total.String())
	}
	order := widget.NewSelect(names, nil)
	kind := widget.NewSelect(nil, nil)
	var kinds []shop.ConcessionKind
	amount := newDeskEntry(t.env)
	amount.SetPlaceHolder(lang.L("Amount in yuan, e.g. 8 or 8.50"))
	reasons := make([]string, len(concessionReasons))
	for i, r := range concessionReasons {
		reasons[i] = lang.L(r)
	}
	reason := newDeskSelectEntry(t.env, reasons)
	reason.SetPlaceHolder(lang.L("Why the customer gets it"))
	room := widget.NewLabel("")
	room.Wrapping = fyne.TextWrapWord
	verdict := widget.NewLabel("")
	verdict.Wrapping = fyne.TextWrapWord
	judge := func() {
		i := order.SelectedIndex()
		if i < 0 {
			return
		}
		r := c.rooms[i]
		room.SetText(fmt.Sprintf(lang.L("Your limits: %[1]s per order, %[2]s a day · on this order %[3]s · given today %[4]s"),
			r.Limit.PerOrder, r.Limit.PerDay, r.OnOrder, r.GivenDay))
		a, ok := parseYuan(amount.Text)
		switch {
		case !ok || a <= 0:
			setLabel(verdict, "", widget.MediumImportance)
		case r.Fits(a):
			setLabel(verdict, lang.L("Within your limits: applied at once and noted on the order."), widget.SuccessImportance)
		default:
			setLabel(verdict, lang.L("Above your limits: it becomes a request a manager approves or declines."), widget.WarningImportance)
		}
	}
	order.OnChanged = func(string) {
		o := c.orders[max(order.SelectedIndex(), 0)]
		kinds = kinds[:0]
		var opts []string
		for _, k := range shop.ConcessionKinds {
			if shop.ConcessionAllowed(o, k) {
				kinds = append(kinds, k)
				opts = append(opts, concessionKindName(k))
			}
		}
		kind.SetOptions(opts)
		kind.SetSelectedIndex(0)
		judge()
	}
	kind.OnChanged = func(string) {
		i := kind.SelectedIndex()
		o := c.orders[max(order.SelectedIndex(), 0)]
		if i >= 0 && kinds[i] == shop.ConcessionFreeShipping && o.Shipping > 0 && strings.TrimSpace(amount.Text) == "" {
			amount.SetText(yuanText(o.Shipping))
		}
	}
	amount.OnChanged = func(string) { judge() }
	order.SetSelectedIndex(0)
	items := []*widget.FormItem{
		widget.NewFormItem(lang.L("Order"), order),
		widget.NewFormItem(lang.L("Concession"), kind),
		widget.NewFormItem(lang.L("Amount (¥)"), amount),
		widget.NewFormItem(lang.L("Reason"), reason),
		widget.NewFormItem("", room),
		widget.NewFormItem("", verdict),
	}
	t.form(lang.L("Concession"), lang.L("Give"), items, func(reopen func()) {
		i, k := order.SelectedIndex(), kind.SelectedIndex()
		a, ok := parseYuan(amount.Text)
		why := strings.TrimSpace(reason.Text)
		switch {
		case i < 0 || k < 0:
			reopen()
			return
		case !ok || a <= 0:
			t.inform(lang.L("Concession"), lang.L("Write the amount in yuan, e.g. 8 or 8.50."))
			reopen()
			return
		case why == "":
			t.inform(lang.L("Concession"), lang.L("Say why the customer gets the concession."))
			reopen()
			return
		}
		id := shop.NewID()
		p := shop.ConcessionGive{NoteID: shop.NewID(), OrderID: c.orders[i].ID, ConversationID: convID, Kind: kinds[k], Amount: a, Reason: why}
		t.env.apply(shop.KindConcessionGive, id, 0, p, func(err error) {
			if err != nil {
				reopen()
				return
			}
			t.toldGiven(id)
			t.refreshPanel()
		})
	})
}

// toldGiven tells the staff member what became of the concession she just gave, as this
// desk decided it.
func (t *teamWork) toldGiven(id string) {
	background(t.env, func(ctx context.Context) (shop.Concession, error) {
		c, _, err := getEntity[shop.Concession](ctx, t.env.writer, shop.TypeConcession, id)
		return c, err
	}, func(c shop.Concession, err error) {
		if err != nil {
			return
		}
		if c.State == shop.ConcessionRequested {
			t.inform(lang.L("Concession"), fmt.Sprintf(lang.L("%s is above your limits: it waits for a manager. You will see the answer in the chat."), c.Amount))
		} else {
			t.inform(lang.L("Concession"), fmt.Sprintf(lang.L("%[1]s %[2]s applied and noted on order %[3]s."), concessionKindName(c.Kind), c.Amount, c.OrderID))
		}
	})
}

// concessionLine is one concession in words for the chat panel and the orders: kind, amount,
// state, who, and the manager's answer.
func concessionLine(c shop.Concession) string {
	text := joinNonEmpty(" · ", concessionKindName(c.Kind)+" "+c.Amount.String(), concessionStateName(c.State), c.OrderID, c.Reason)
	if c.Decided() {
		text += "\n" + joinNonEmpty(" · ", fmt.Sprintf(lang.L("%s answered"), staffLabel(c.DecidedBy)), c.Answer)
	}
	return text
}

// panelWork is what the chat panel's strip shows of the open conversation.
type panelWork struct {
	concessions []shop.Concession
}

// fillPanel fills the team strip of the chat's customer panel for conv: the Log call and
// Concession buttons, and the concessions asked for in this chat with their answers.
func (t *teamWork) fillPanel(box *fyne.Container, conv shop.Conversation) {
	cv := conv
	t.panelConv = &cv
	call := widget.NewButtonWithIcon(lang.L("Log call"), iconCall, func() {
		a := callAbout{CustomerID: cv.CustomerID, OrderID: cv.OrderID, Who: cv.Nick, Purpose: shop.CallRetention, Result: shop.CallReached}
		if cv.OrderID != "" {
			a.Purpose = shop.CallAfterSales
		}
		t.logCall(a, nil)
	})
	give := widget.NewButtonWithIcon(lang.L("Concession"), theme.ContentAddIcon(), func() {
		var orders []string
		if cv.OrderID != "" {
			orders = []string{cv.OrderID}
		}
		t.giveConcession(cv.CustomerID, orders, cv.ID)
	})
	buttons := container.NewHBox(call, give)
	box.Objects = []fyne.CanvasObject{buttons}
	box.Refresh()
	background(t.env, func(ctx context.Context) (panelWork, error) {
		var w panelWork
		var err error
		w.concessions, err = t.data.ConcessionsIn(ctx, cv.ID)
		return w, err
	}, func(w panelWork, err error) {
		if t.panelConv == nil || t.panelConv.ID != cv.ID {
			return // another conversation opened meanwhile
		}
		objs := []fyne.CanvasObject{buttons}
		for _, c := range w.concessions {
			l := newWrapLabel(concessionLine(c))
			l.Importance = concessionStateImportance(c.State)
			objs = append(objs, l)
		}
		box.Objects = objs
		box.Refresh()
	})
}

// refreshPanel fills the chat panel's strip again for the conversation it shows.
func (t *teamWork) refreshPanel() {
	if t.panel == nil || t.panelConv == nil || t.panel.conv != t.panelConv.ID {
		return
	}
	t.fillPanel(t.panel.work, *t.panelConv)
}

// approvalsDialog is the managers' list of concession requests, each with an answer and
// Approve and Decline.
type approvalsDialog struct {
	t     *teamWork
	dlg   dialog.Dialog
	head  *widget.Label
	list  *fyne.Container
	rows  map[string]*approvalRow // by concession id
	staff []shop.Staff
	load  func()
}

// approvalRow is one request in the approvals list.
type approvalRow struct {
	c       shop.Concession
	answer  *deskEntry
	approve *widget.Button
	decline *widget.Button
}

// approvalList is the requests and the staff who made them, read together.
type approvalList struct {
	requests []shop.Concession
	staff    []shop.Staff
	orders   map[string]shop.Order
}

// showApprovals opens the list of concession requests waiting for a manager.
func (t *teamWork) showApprovals() {
	if !t.manager {
		return
	}
	a := &approvalsDialog{t: t, head: newHeading(""), list: container.NewVBox(), rows: map[string]*approvalRow{}}
	t.approvalsDlg = a
	a.load = func() {
		background(t.env, func(ctx context.Context) (approvalList, error) {
			var l approvalList
			var err error
			if l.requests, err = t.data.ConcessionRequests(ctx, 200); err != nil {
				return l, err
			}
			l.orders = map[string]shop.Order{}
			for _, c := range l.requests {
				if o, err := t.data.Order(ctx, c.OrderID); err == nil {
					l.orders[o.ID] = o
				}
			}
			l.staff, err = t.data.StaffList(ctx)
			return l, err
		}, a.fill)
	}
	a.load()
	if t.env.win == nil {
		return
	}
	scroll := container.NewVScroll(a.list)
	scroll.SetMinSize(fyne.NewSize(720, 400))
	a.dlg = dialog.NewCustom(lang.L("Concession requests"), lang.L("Close"), container.NewBorder(a.head, nil, nil, nil, scroll), t.env.win)
	a.dlg.SetOnClosed(func() {
		if t.approvalsDlg == a {
			t.approvalsDlg = nil
		}
	})
	a.dlg.Show()
}

func (a *approvalsDialog) fill(l approvalList, err error) {
	if err != nil {
		a.head.SetText(fmt.Sprintf(lang.L("Could not read the requests: %v"), err))
		return
	}
	a.staff = l.staff
	if len(l.requests) == 0 {
		a.head.SetText(lang.L("No concession waits for approval."))
	} else {
		a.head.SetText(fmt.Sprintf(lang.L("%d concessions wait for approval"), len(l.requests)))
	}
	now := a.t.env.now()
	rows := map[string]*approvalRow{}
	a.list.Objects = nil
	for _, c := range l.requests {
		r := a.rows[c.ID] // keep what the manager typed
		if r == nil {
			r = &approvalRow{answer: newDeskEntry(a.t.env)}
			r.answer.SetPlaceHolder(lang.L("Answer to the requester (optional)"))
		}
		r.c = c
		id := c.ID
		r.approve = widget.NewButtonWithIcon(lang.L("Approve"), theme.ConfirmIcon(), func() { a.decide(id, shop.KindConcessionApprove) })
		r.approve.Importance = widget.HighImportance
		r.decline = widget.NewButtonWithIcon(lang.L("Decline"), theme.CancelIcon(), func() { a.decide(id, shop.KindConcessionDecline) })
		r.decline.Importance = widget.DangerImportance
		rows[c.ID] = r
		o := l.orders[c.OrderID]
		head := newHeading(joinNonEmpty(" · ", concessionKindName(c.Kind)+" "+c.Amount.String(), staffName(l.staff, c.Staff), fmtWhen(c.At, now)))
		facts := newCaption(joinNonEmpty(" · ", fmt.Sprintf(lang.L("Order %s"), c.OrderID), o.Nick, o.Total.String(),
			fmt.Sprintf(lang.L("conceded so far %s"), o.Conceded)))
		a.list.Add(container.NewVBox(head, newWrapLabel(c.Reason), facts,
			container.NewBorder(nil, nil, nil, container.NewHBox(r.decline, r.approve), r.answer), widget.NewSeparator()))
	}
	a.rows = rows
	a.list.Refresh()
}

// decide records the manager's decision on request id with the answer typed.
func (a *approvalsDialog) decide(id string, kind shop.Kind) {
	r := a.rows[id]
	if r == nil {
		return
	}
	p := shop.ConcessionDecide{NoteID: shop.NewID(), Answer: strings.TrimSpace(r.answer.Text)}
	a.t.env.applyOn(shop.TypeConcession, kind, id, p, func(err error) {
		if err == nil {
			delete(a.rows, id)
		}
		a.load()
		a.t.updateApprovals()
	})
}
