package screens

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"

	"kefu/desk"
)

// shipSkippedText says which automatic shipment notices were not sent and why: a placeholder
// of the notice had no value for the order (most often {tracking}).
func shipSkippedText(skips []desk.ShipSkip) string {
	lines := make([]string, len(skips))
	for i, s := range skips {
		lines[i] = fmt.Sprintf(lang.L("Order %s (%s): %s has no value, so its shipment notice was not sent. Send it from the order."),
			s.Order, s.Nick, strings.Join(s.Placeholders, " "))
	}
	return strings.Join(lines, "\n")
}

// tellShipSkipped tells the staff member of the automatic shipment notices the desk did not
// send, rather than send a customer "{tracking}".
func (e *env) tellShipSkipped(skips []desk.ShipSkip) {
	if e.win != nil {
		dialog.ShowInformation(lang.L("Shipment notices not sent"), shipSkippedText(skips), e.win)
	}
}
