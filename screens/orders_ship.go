package screens

import (
	"time"

	"kefu/desk"
)

// Preference keys of the automatic shipment notice.
const (
	prefAutoShip      = "orders.auto_ship_notice"       // bool: send shipment notices automatically
	prefAutoShipSince = "orders.auto_ship_notice_since" // RFC 3339: when it was turned on
)

// autoShipOn reports whether shipment notices go out automatically on this desk.
func (o *orderSection) autoShipOn() bool {
	return o.env.app != nil && o.env.app.Preferences().Bool(prefAutoShip)
}

// setAutoShip turns the automatic shipment notice on or off; turned on, it covers orders
// shipping from now on.
func (o *orderSection) setAutoShip(on bool) {
	if o.env.app == nil {
		return
	}
	prefs := o.env.app.Preferences()
	prefs.SetBool(prefAutoShip, on)
	if on {
		prefs.SetString(prefAutoShipSince, o.env.now().Format(time.RFC3339Nano))
	}
	o.data.SetShipNotices(o.shipNotices())
}

// shipNotices is the setting as the desk's jobs follow it.
func (o *orderSection) shipNotices() desk.ShipNotices {
	s := desk.ShipNotices{On: o.autoShipOn(), Phrase: shipPhrase, Fallback: shipFallback()}
	if s.On {
		s.Since, _ = time.Parse(time.RFC3339Nano, o.env.app.Preferences().String(prefAutoShipSince))
	}
	return s
}
