package screens

import (
	"time"

	"kefu/shop"
)

// Preference keys of the automatic shipment notice.
const (
	prefAutoShip      = "orders.auto_ship_notice"       // bool: send shipment notices automatically
	prefAutoShipSince = "orders.auto_ship_notice_since" // RFC 3339: when it was turned on
)

// autoShipWindow is how far back an order's shipping may lie for an automatic notice: an order
// that shipped days ago gets no surprise message.
const autoShipWindow = 24 * time.Hour

// autoShipLimit bounds the notices sent in one go.
const autoShipLimit = 50

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
		o.sendShipNotices()
	}
}

// changed runs when entities of these types changed in the store, whatever section is shown:
// new shipments get their notice when the setting is on.
func (o *orderSection) changed(types []shop.EntityType) {
	for _, t := range types {
		if t == shop.TypeOrder {
			o.sendShipNotices()
			return
		}
	}
}

// sendShipNotices sends the shipment notice of every order that shipped since the setting was
// turned on (and within autoShipWindow) and has had none. The server sends each notice at most
// once, so two desks with the setting on do not message a customer twice.
func (o *orderSection) sendShipNotices() {
	if o.shipping || !o.autoShipOn() {
		return
	}
	o.shipping = true
	defer func() { o.shipping = false }()
	since := o.env.now().Add(-autoShipWindow)
	if on, err := time.Parse(time.RFC3339Nano, o.env.app.Preferences().String(prefAutoShipSince)); err == nil && on.After(since) {
		since = on
	}
	orders, err := o.data.ShippedSince(since, autoShipLimit)
	if err != nil {
		return
	}
	for _, ord := range orders {
		convs, err := o.data.ConversationsOf(ord.CustomerID)
		if err != nil || len(convs) == 0 {
			continue
		}
		p := shop.ShipNotice{MessageID: shop.NewID(), ConversationID: convs[0].ID, Text: o.shipText(ord)}
		m, err := shop.NewMutation(shop.KindOrderShipNote, ord.ID, o.env.staff.Number, o.env.now(), p)
		if err != nil {
			continue
		}
		if ver, _, err := o.env.writer.Get(shop.TypeOrder, ord.ID, nil); err == nil {
			m.Base = ver
		}
		// Quietly: a refusal here (the notice went out already) needs nobody's attention.
		if out, err := o.env.writer.Apply(m); err == nil && out.Conflict == nil && o.env.kick != nil {
			o.env.kick()
		}
	}
}
