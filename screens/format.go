package screens

import (
	"fmt"
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kefu/shop"
)

// Waiting thresholds of the chat list and the status bar (issue 5 makes them settings).
const (
	defaultWarnAfter  = 60 * time.Second
	defaultAlertAfter = 180 * time.Second
)

// fmtWhen formats an instant for lists: the time today, month-day and time this year, else the
// date. Times are shown in the shop's zone.
func fmtWhen(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	t, now = t.In(shop.ShopZone), now.In(shop.ShopZone)
	switch {
	case shop.SameShopDay(t, now):
		return t.Format("15:04")
	case t.Year() == now.Year():
		return t.Format("01-02 15:04")
	}
	return t.Format("2006-01-02")
}

// fmtFull formats an instant with its date and time, for detail panes.
func fmtFull(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(shop.ShopZone).Format("2006-01-02 15:04")
}

// fmtClock formats an instant as HH:MM in the shop's zone.
func fmtClock(t time.Time) string { return t.In(shop.ShopZone).Format("15:04") }

// fmtWait formats a waiting time: "45s", "2m 15s", "1h 3m".
func fmtWait(d time.Duration) string {
	s := int(d / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf(lang.L("%ds"), s)
	case s < 3600:
		return fmt.Sprintf(lang.L("%dm %ds"), s/60, s%60)
	case s < 48*3600:
		return fmt.Sprintf(lang.L("%dh %dm"), s/3600, (s%3600)/60)
	}
	return fmt.Sprintf(lang.L("%dd %dh"), s/86400, (s%86400)/3600)
}

// waitImportance colours a waiting time: warning after warn, danger after alert.
func waitImportance(d, warn, alert time.Duration) widget.Importance {
	switch {
	case d > alert:
		return widget.DangerImportance
	case d > warn:
		return widget.WarningImportance
	}
	return widget.MediumImportance
}

// waitColor is waitImportance as a theme colour, for styled text.
func waitColor(d, warn, alert time.Duration) fyne.ThemeColorName {
	switch waitImportance(d, warn, alert) {
	case widget.DangerImportance:
		return theme.ColorNameError
	case widget.WarningImportance:
		return theme.ColorNameWarning
	}
	return theme.ColorNameForeground
}

// staffLabel is how a staff number appears next to what they did, e.g. "工号 1001".
func staffLabel(number string) string {
	if number == "" {
		return ""
	}
	return fmt.Sprintf(lang.L("No. %s"), number)
}

// flagColors are the six Taobao flag colours, indexed by shop.Flag.
var flagColors = [...]color.NRGBA{
	shop.FlagGrey:   {R: 0x9e, G: 0x9e, B: 0x9e, A: 0xff},
	shop.FlagRed:    {R: 0xe5, G: 0x39, B: 0x35, A: 0xff},
	shop.FlagYellow: {R: 0xf9, G: 0xc1, B: 0x1c, A: 0xff},
	shop.FlagGreen:  {R: 0x43, G: 0xa0, B: 0x47, A: 0xff},
	shop.FlagBlue:   {R: 0x1e, G: 0x88, B: 0xe5, A: 0xff},
	shop.FlagPurple: {R: 0x8e, G: 0x24, B: 0xaa, A: 0xff},
}

// flagColor is the colour of a flag (grey for an unknown one).
func flagColor(f shop.Flag) color.Color {
	if !f.Valid() {
		return flagColors[shop.FlagGrey]
	}
	return flagColors[f]
}

// flagName is a flag's translated name, e.g. 红旗.
func flagName(f shop.Flag) string {
	switch f {
	case shop.FlagRed:
		return lang.L("Red flag")
	case shop.FlagYellow:
		return lang.L("Yellow flag")
	case shop.FlagGreen:
		return lang.L("Green flag")
	case shop.FlagBlue:
		return lang.L("Blue flag")
	case shop.FlagPurple:
		return lang.L("Purple flag")
	}
	return lang.L("Grey flag")
}

// statusName is an order status's translated name.
func statusName(s shop.OrderStatus) string {
	switch s {
	case shop.StatusUnpaid:
		return lang.L("Unpaid")
	case shop.StatusPaid:
		return lang.L("Paid")
	case shop.StatusShipped:
		return lang.L("Shipped")
	case shop.StatusCompleted:
		return lang.L("Completed")
	case shop.StatusClosed:
		return lang.L("Closed")
	}
	return string(s)
}

// orderStateName is what an order's state reads as: its status, except for a cash-on-delivery
// order not shipped yet, which is not paid but waits for (or has had) the buyer's
// confirmation call: 货到付款 · 待确认 / 已确认.
func orderStateName(o shop.Order) string {
	switch {
	case shop.CODPending(o):
		return lang.L("Cash on delivery · to confirm")
	case o.Payment == shop.PayCOD && (o.Status == shop.StatusUnpaid || o.Status == shop.StatusPaid):
		return lang.L("Cash on delivery · confirmed")
	}
	return statusName(o.Status)
}

// orderStateImportance colours orderStateName: a cash-on-delivery order to confirm wants
// attention before anything is packed.
func orderStateImportance(o shop.Order) widget.Importance {
	if shop.CODPending(o) {
		return widget.DangerImportance
	}
	return statusImportance(o.Status)
}

// statusImportance colours an order status: unpaid orders want attention.
func statusImportance(s shop.OrderStatus) widget.Importance {
	switch s {
	case shop.StatusUnpaid:
		return widget.WarningImportance
	case shop.StatusPaid:
		return widget.HighImportance
	}
	return widget.MediumImportance
}

// paymentName is a payment method's translated name.
func paymentName(p shop.Payment) string {
	if p == shop.PayCOD {
		return lang.L("Cash on delivery")
	}
	return lang.L("Paid online")
}

// reviewStateName is a review follow-up state's translated name.
func reviewStateName(s shop.ReviewState) string {
	switch s {
	case shop.ReviewNew:
		return lang.L("New")
	case shop.ReviewContacted:
		return lang.L("Contacted")
	case shop.ReviewResolving:
		return lang.L("Resolving")
	case shop.ReviewResolved:
		return lang.L("Resolved")
	case shop.ReviewRevisionRequested:
		return lang.L("Revision requested")
	case shop.ReviewRevised:
		return lang.L("Revised")
	case shop.ReviewUnreachable:
		return lang.L("Unreachable")
	case shop.ReviewMalicious:
		return lang.L("Reported as malicious")
	}
	return string(s)
}

// ratingName is a rating class's translated name.
func ratingName(r shop.Rating) string {
	switch r {
	case shop.RatingGood:
		return lang.L("Good")
	case shop.RatingNeutral:
		return lang.L("Neutral")
	case shop.RatingBad:
		return lang.L("Bad")
	}
	return lang.L("All ratings")
}

// caseKindName is an after-sales kind's translated name.
func caseKindName(k shop.CaseKind) string {
	switch k {
	case shop.CaseReturn:
		return lang.L("Return")
	case shop.CaseExchange:
		return lang.L("Exchange")
	case shop.CaseLost:
		return lang.L("Lost parcel")
	case shop.CaseWrong:
		return lang.L("Wrong item")
	case shop.CaseMissing:
		return lang.L("Missing item")
	case shop.CaseQuality:
		return lang.L("Quality problem")
	}
	return string(k)
}

// caseStateName is an after-sales state's translated name.
func caseStateName(s shop.CaseState) string {
	switch s {
	case shop.CaseOpen:
		return lang.L("state.open")
	case shop.CaseWaitingCustomer:
		return lang.L("Waiting for customer")
	case shop.CaseWaitingWarehouse:
		return lang.L("Waiting for warehouse")
	case shop.CaseResolved:
		return lang.L("Resolved")
	case shop.CaseRefunded:
		return lang.L("Refunded")
	}
	return string(s)
}

// systemNoteText translates the words shop rules write into system notes (address checks,
// COD calls, closing); other text is shown as written.
func systemNoteText(s string) string {
	switch s {
	case "address confirmed":
		return lang.L("Address confirmed")
	case "address changed":
		return lang.L("Address changed")
	case "COD call":
		return lang.L("COD confirmation call")
	case "order closed":
		return lang.L("Order closed")
	case string(shop.CallConfirmed):
		return lang.L("Confirmed")
	case string(shop.CallRefused):
		return lang.L("Refused")
	case string(shop.CallNoAnswer):
		return lang.L("No answer")
	}
	return s
}

// stars draws a star rating, e.g. ★★★☆☆.
func stars(n int) string {
	n = max(0, min(5, n))
	return strings.Repeat("★", n) + strings.Repeat("☆", 5-n)
}

// countText says how many rows a list shows (key is the untranslated count sentence, e.g.
// "%d orders", whose translation has a form for one and for more), and that there are more
// when the list stopped at its limit.
func countText(key string, n, limit int) string {
	s := pluralf(n, key, n)
	if n >= limit {
		s = fmt.Sprintf(lang.L("Showing the first %s; search to narrow them down"), s)
	}
	return s
}

// oneLine squeezes text onto one line for list rows.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// listSep is the comma between the items of a list in a sentence: ", " in English, the
// full-width "，" in Chinese ("1 位已退订，18 位从未聊过").
func listSep() string { return lang.X("sep.list", ", ") }

// joinNonEmpty joins the non-empty parts with sep.
func joinNonEmpty(sep string, parts ...string) string {
	out := parts[:0:0]
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// pluralf is the translation of key, a sentence about a count n ("%d paid orders"), in the
// form the window's language uses for n ("1 paid order", "2 paid orders"; one form in
// Chinese), filled in with args as fmt.Sprintf does. The translation files give such keys
// "one" and "other" forms.
func pluralf(n int, key string, args ...any) string {
	return fmt.Sprintf(lang.N(key, n), args...)
}

// pluralXf is pluralf for a translation named by an id (lang.X) with its English fallback.
func pluralXf(n int, id, fallback string, args ...any) string {
	return fmt.Sprintf(lang.XN(id, fallback, n), args...)
}
