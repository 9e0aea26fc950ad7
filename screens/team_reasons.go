package screens

import (
	"fmt"

	"fyne.io/fyne/v2/lang"

	"kefu/shop"
)

// The words for the team kinds' refusals and conflicts (reasonText asks teamReasonText for
// the codes it does not know), and the names of their fields.

func init() {
	for name, key := range map[string]string{
		"call purpose":      "field.call_purpose",
		"call result":       "field.call_result",
		"call duration":     "field.call_duration",
		"call note":         "field.call_note",
		"call quota":        "field.call_quota",
		"call-back time":    "field.call_back",
		"customer":          "field.customer",
		"handover note":     "field.handover_note",
		"handover item":     "field.handover_item",
		"handover items":    "field.handover_items",
		"concession kind":   "field.concession_kind",
		"concession limit":  "field.concession_limit",
		"concession amount": "field.concession_amount",
		"answer":            "field.answer",
		"staff settings":    "field.staff_settings",
	} {
		fieldLabels[name] = key
	}
}

// teamReasonText is a team reason in words, "" for a code it does not know.
func teamReasonText(r shop.Reason) string {
	a := r.Arg
	switch r.Code {
	case shop.ReasonNotManager:
		return fmt.Sprintf(lang.L("only the shop's owner or a manager may do this; %s is not one"), staffLabel(a(1)))
	case shop.ReasonNotForYou:
		return lang.L("this handover is for the next shift, not for you")
	case shop.ReasonAcknowledged:
		return fmt.Sprintf(lang.L("%s acknowledged this handover already"), staffLabel(a(1)))
	case shop.ReasonDecided:
		return fmt.Sprintf(lang.L("the concession is “%s” already"), concessionStateName(shop.ConcessionState(a(1))))
	}
	return ""
}
