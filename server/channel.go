package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"kefu/server/store"
	"kefu/shop"
	"kefu/storeapi"
)

// The API channels' core: owners and managers create, change, pause, rotate and delete
// channels; an outside system posts its customers' messages signed with the channel's
// secret (ChannelInbound), which map to one Kefu conversation and customer per outside id.
// The outbound side (each staff message and auto-reply POSTed to the channel's webhook) is in
// webhook.go.
//
// What is stored, all through store.Store:
//
//   - the channel: a shop.Channel record (TypeChannel, in the feed, without its secret);
//   - its secret: a store.Credential named channelCredential(id) (a name no staff number can
//     have, so no login ever reads it), holding the secret itself, since HMAC needs it;
//   - the outside ids: index chext (channel, "c:"+conversation or "u:"+customer) → Kefu id,
//     and the records' own Conversation.Channel/ExternalID and Customer.External;
//   - customers by phone and e-mail: index contact ("phone:…" or "email:…") → customer id,
//     kept by putRecord for every customer written, and filled for the customers written
//     before when a shop's first channel is made;
//   - deliveries: shop.Delivery records (TypeDelivery, in the feed), the queue index outq
//     (channel, conversation, seq) → message id and the log index dlv (channel, newest first).

// A channel's id is its shop's id, '.', and 16 random hex digits ("demo.3f2a9c1b7e4d5a60"):
// the inbound endpoint, which has no staff token, finds the shop from it.

// inboundPerMinute is how many inbound messages one channel may post a minute.
const inboundPerMinute = 600

var (
	idxChannel = store.Index{Name: "channel", Fields: []store.Field{{Name: "name", Kind: store.String}}}
	idxChExt   = store.Index{Name: "chext", Fields: []store.Field{{Name: "channel", Kind: store.String}, {Name: "ext", Kind: store.String}}}
	idxContact = store.Index{Name: "contact", Fields: []store.Field{{Name: "contact", Kind: store.String}}}
	idxOutQ    = store.Index{Name: "outq", Fields: []store.Field{{Name: "channel", Kind: store.String}, {Name: "conversation_id", Kind: store.String}, {Name: "seq", Kind: store.Int}}}
	idxDlv     = store.Index{Name: "dlv", Fields: []store.Field{{Name: "channel", Kind: store.String}, {Name: "newest", Kind: store.Int}}}
)

// channelIndexes are the indexes of this file and webhook.go, declared by New.
var channelIndexes = []store.Index{idxChannel, idxChExt, idxContact, idxOutQ, idxDlv}

// newestFirst turns a seq into a dlv key that sorts the newest first.
func newestFirst(seq int64) int64 { return 1<<62 - seq }

// channelCredential is the credential name of a channel's secret; ':' is not allowed in a
// staff number.
func channelCredential(id string) string { return "channel:" + id }

// newChannelSecret returns a random secret: "kfs_" and 32 random bytes, base64url.
func newChannelSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return "kfs_" + base64.RawURLEncoding.EncodeToString(b)
}

// channelShop returns the shop of a channel id; false when id cannot be a channel id.
func channelShop(id string) (string, bool) {
	shopID, random, ok := strings.Cut(id, ".")
	if !ok || !ValidShopID(shopID) || len(random) != 16 {
		return "", false
	}
	_, err := hex.DecodeString(random)
	return shopID, err == nil
}

// validChannelID reports whether id can be a channel id.
func validChannelID(id string) bool {
	_, ok := channelShop(id)
	return ok
}

// manager checks that staff member staff of the shop is its owner or a manager.
func manager(tx store.ReadTx, staff string) error {
	var st shop.Staff
	if _, ok, err := (txReader{tx}).Get(shop.TypeStaff, staff, &st); err != nil {
		return err
	} else if !ok || (st.Role != shop.RoleOwner && st.Role != shop.RoleManager) {
		return refuse(ErrForbidden, "only the shop's owner or a manager may manage channels")
	}
	return nil
}

// loadChannel reads a channel that exists (not deleted).
func loadChannel(tx store.ReadTx, id string) (shop.Channel, error) {
	var ch shop.Channel
	if !validChannelID(id) {
		return ch, refuse(ErrNotFound, "there is no channel %q", id)
	}
	if _, ok, err := (txReader{tx}).Get(shop.TypeChannel, id, &ch); err != nil {
		return ch, err
	} else if !ok {
		return ch, refuse(ErrNotFound, "there is no channel %q", id)
	}
	return ch, nil
}

// cleanChannelName checks a channel's name.
func cleanChannelName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > shop.MaxShortText || strings.ContainsFunc(name, unicode.IsControl) {
		return "", refuse(ErrInvalid, "the channel needs a name of 1 to %d characters without control characters", shop.MaxShortText)
	}
	return name, nil
}

// CreateChannel makes a channel for staff member staff (an owner or a manager) and returns
// its id and secret, which is shown this once.
func (s *Server) CreateChannel(ctx context.Context, shopID, staff string, req storeapi.ChannelRequest) (storeapi.ChannelCreated, error) {
	if err := s.enter(); err != nil {
		return storeapi.ChannelCreated{}, err
	}
	defer s.inflight.Done()
	name, err := cleanChannelName(req.Name)
	if err != nil {
		return storeapi.ChannelCreated{}, err
	}
	hook, err := s.webhooks.checkURL(ctx, req.Webhook)
	if err != nil {
		return storeapi.ChannelCreated{}, err
	}
	idb := make([]byte, 8)
	rand.Read(idb)
	now := s.now()
	ch := shop.Channel{ID: shopID + "." + hex.EncodeToString(idb), Name: name, Webhook: hook, CreatedBy: staff, CreatedAt: now, SecretAt: now}
	secret := newChannelSecret()
	err = s.write(context.WithoutCancel(ctx), shopID, func(tx store.Tx) error {
		if err := manager(tx, staff); err != nil {
			return err
		}
		first := true
		if err := tx.Scan(idxChannel.Name, store.Query{}, func(store.Entry) bool { first = false; return false }); err != nil {
			return err
		}
		if first {
			if err := fillContacts(tx); err != nil {
				return err
			}
		}
		if _, err := putRecord(tx, shop.NewRecord(shop.TypeChannel, ch.ID, ch)); err != nil {
			return err
		}
		return tx.PutCredential(store.Credential{Staff: channelCredential(ch.ID), Hash: []byte(secret), Changed: now})
	})
	if err != nil {
		return storeapi.ChannelCreated{}, err
	}
	s.webhooks.addShop(shopID)
	return storeapi.ChannelCreated{ID: ch.ID, Secret: secret, Channel: ch}, nil
}

// Channels lists the shop's channels by name.
func (s *Server) Channels(ctx context.Context, shopID string) ([]shop.Channel, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.inflight.Done()
	var out []shop.Channel
	err := s.store.View(ctx, shopID, func(tx store.ReadTx) error {
		var ids []string
		if err := tx.Scan(idxChannel.Name, store.Query{}, func(e store.Entry) bool { ids = append(ids, e.ID); return true }); err != nil {
			return err
		}
		var err error
		out, err = loadAll[shop.Channel](tx, shop.TypeChannel, ids)
		return err
	})
	return out, err
}

// loadAll reads the entities of type t with the ids, in that order, leaving out those that
// do not exist.
func loadAll[T any](tx store.ReadTx, t shop.EntityType, ids []string) ([]T, error) {
	out := []T{}
	for _, id := range ids {
		var v T
		if _, ok, err := (txReader{tx}).Get(t, id, &v); err != nil {
			return nil, err
		} else if ok {
			out = append(out, v)
		}
	}
	return out, nil
}

// UpdateChannel renames, re-points or pauses (and resumes) a channel.
func (s *Server) UpdateChannel(ctx context.Context, shopID, staff, id string, u storeapi.ChannelUpdate) (shop.Channel, error) {
	if err := s.enter(); err != nil {
		return shop.Channel{}, err
	}
	defer s.inflight.Done()
	if u.Name == nil && u.Webhook == nil && u.Paused == nil {
		return shop.Channel{}, refuse(ErrInvalid, "the change names no field: name, webhook or paused")
	}
	var name, hook string
	var err error
	if u.Name != nil {
		if name, err = cleanChannelName(*u.Name); err != nil {
			return shop.Channel{}, err
		}
	}
	if u.Webhook != nil {
		if hook, err = s.webhooks.checkURL(ctx, *u.Webhook); err != nil {
			return shop.Channel{}, err
		}
	}
	var ch shop.Channel
	err = s.write(context.WithoutCancel(ctx), shopID, func(tx store.Tx) error {
		if err := manager(tx, staff); err != nil {
			return err
		}
		var err error
		if ch, err = loadChannel(tx, id); err != nil {
			return err
		}
		if u.Name != nil {
			ch.Name = name
		}
		if u.Webhook != nil {
			ch.Webhook = hook
		}
		if u.Paused != nil {
			ch.Paused = *u.Paused
		}
		_, err = putRecord(tx, shop.NewRecord(shop.TypeChannel, ch.ID, ch))
		return err
	})
	if err == nil {
		s.webhooks.poke()
	}
	return ch, err
}

// RotateChannelSecret gives a channel a new secret, returned this once; the old one stops
// working at once.
func (s *Server) RotateChannelSecret(ctx context.Context, shopID, staff, id string) (string, error) {
	if err := s.enter(); err != nil {
		return "", err
	}
	defer s.inflight.Done()
	secret := newChannelSecret()
	now := s.now()
	err := s.write(context.WithoutCancel(ctx), shopID, func(tx store.Tx) error {
		if err := manager(tx, staff); err != nil {
			return err
		}
		ch, err := loadChannel(tx, id)
		if err != nil {
			return err
		}
		ch.SecretAt = now
		if _, err := putRecord(tx, shop.NewRecord(shop.TypeChannel, ch.ID, ch)); err != nil {
			return err
		}
		return tx.PutCredential(store.Credential{Staff: channelCredential(ch.ID), Hash: []byte(secret), Changed: now})
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

// DeleteChannel deletes a channel: its secret stops working, its inbound endpoint answers
// 404 and its deliveries still queued fail. Its conversations stay.
func (s *Server) DeleteChannel(ctx context.Context, shopID, staff, id string) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.inflight.Done()
	err := s.write(context.WithoutCancel(ctx), shopID, func(tx store.Tx) error {
		if err := manager(tx, staff); err != nil {
			return err
		}
		if _, err := loadChannel(tx, id); err != nil {
			return err
		}
		if _, err := putRecord(tx, shop.Record{Type: shop.TypeChannel, ID: id, Deleted: true}); err != nil {
			return err
		}
		return tx.PutCredential(store.Credential{Staff: channelCredential(id), Changed: s.now()})
	})
	if err == nil {
		s.webhooks.poke()
	}
	return err
}

// ChannelDeliveries lists a channel's deliveries, newest first, at most limit, for an owner
// or manager.
func (s *Server) ChannelDeliveries(ctx context.Context, shopID, staff, id string, limit int) ([]shop.Delivery, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.inflight.Done()
	var out []shop.Delivery
	err := s.store.View(ctx, shopID, func(tx store.ReadTx) error {
		if err := manager(tx, staff); err != nil {
			return err
		}
		if _, err := loadChannel(tx, id); err != nil {
			return err
		}
		var ids []string
		err := tx.Scan(idxDlv.Name, store.Query{Prefix: []any{id}}, func(e store.Entry) bool {
			ids = append(ids, e.ID)
			return len(ids) < limit
		})
		if err != nil {
			return err
		}
		out, err = loadAll[shop.Delivery](tx, shop.TypeDelivery, ids)
		return err
	})
	return out, err
}

// inboundMessageID is the Kefu id of an inbound message: the same for every repeat.
func inboundMessageID(channelID, outsideID string) string {
	h := sha256.Sum256([]byte(channelID + "\x00" + outsideID))
	return "ch-" + hex.EncodeToString(h[:16])
}

// checkOutsideID checks an outside system's id.
func checkOutsideID(what, id string) error {
	if id == "" || len(id) > 128 || !utf8.ValidString(id) || strings.ContainsFunc(id, unicode.IsControl) {
		return refuse(ErrInvalid, "%s must be 1 to 128 bytes without control characters", what)
	}
	return nil
}

// ChannelInbound stores a customer's message posted to a channel by its outside system: body
// is the raw request body, timestamp and signature its X-Kefu-Timestamp and X-Kefu-Signature.
// A signature that does not match or is stale is refused with ErrUnauthorized and nothing is
// stored. The outside conversation and customer map to one Kefu conversation and customer;
// the shop's auto-replies are recorded with the message. A repeated message id stores
// nothing and gets the first answer again.
func (s *Server) ChannelInbound(ctx context.Context, channelID, timestamp, signature string, body []byte) (storeapi.InboundResult, error) {
	if err := s.enter(); err != nil {
		return storeapi.InboundResult{}, err
	}
	defer s.inflight.Done()
	shopID, ok := channelShop(channelID)
	if !ok {
		return storeapi.InboundResult{}, refuse(ErrNotFound, "there is no channel %q", channelID)
	}
	var ch shop.Channel
	var cred store.Credential
	err := s.store.View(ctx, shopID, func(tx store.ReadTx) error {
		var err error
		if ch, err = loadChannel(tx, channelID); err != nil {
			return err
		}
		cred, _, err = tx.Credential(channelCredential(channelID))
		return err
	})
	if err != nil {
		return storeapi.InboundResult{}, err
	}
	if len(cred.Hash) == 0 {
		return storeapi.InboundResult{}, refuse(ErrUnauthorized, "the channel has no secret")
	}
	if err := storeapi.VerifySignature(string(cred.Hash), timestamp, signature, body, s.now()); err != nil {
		return storeapi.InboundResult{}, refuse(ErrUnauthorized, "%s: %v", storeapi.HeaderSignature, err)
	}
	if ok, _ := s.inLimit.allow(channelID, s.now()); !ok {
		return storeapi.InboundResult{}, refuse(ErrRateLimited, "more than %d messages a minute on channel %s; try again in a minute", inboundPerMinute, ch.Name)
	}
	if ch.Paused {
		return storeapi.InboundResult{}, refuse(ErrConflict, "the channel %s is paused", ch.Name)
	}
	var m storeapi.InboundMessage
	if err := decodeJSON(body, &m); err != nil {
		return storeapi.InboundResult{}, refuse(ErrInvalid, "%v", err)
	}
	if err := errors.Join(checkOutsideID("id", m.ID), checkOutsideID("conversation", m.Conversation), checkOutsideID("customer.id", m.Customer.ID)); err != nil {
		return storeapi.InboundResult{}, err
	}
	nick, err := cleanNick(m.Customer.Nick)
	if err != nil {
		return storeapi.InboundResult{}, err
	}
	m.Customer.Nick, m.Customer.Email = nick, strings.ToLower(strings.TrimSpace(m.Customer.Email))
	m.Customer.Phone = strings.TrimSpace(m.Customer.Phone)
	if m.Customer.Phone != "" && !shop.ValidPhone(m.Customer.Phone) {
		return storeapi.InboundResult{}, refuse(ErrInvalid, "customer.phone %q is not a phone number", m.Customer.Phone)
	}
	if m.Customer.Email != "" && !shop.ValidEmail(m.Customer.Email) {
		return storeapi.InboundResult{}, refuse(ErrInvalid, "customer.email %q is not an e-mail address", m.Customer.Email)
	}
	msgID := inboundMessageID(channelID, m.ID)
	now := s.now()
	var res storeapi.InboundResult
	var written []shop.Record
	err = s.write(context.WithoutCancel(ctx), shopID, func(tx store.Tx) error {
		written = nil
		rd := txReader{tx}
		var prev shop.Message
		if _, found, err := rd.Get(shop.TypeMessage, msgID, &prev); err != nil {
			return err
		} else if found {
			var c shop.Conversation
			if _, _, err := rd.Get(shop.TypeConversation, prev.ConversationID, &c); err != nil {
				return err
			}
			res = storeapi.InboundResult{Message: msgID, Conversation: prev.ConversationID, Customer: c.CustomerID}
			return nil // stored before: nothing twice
		}
		conv, err := s.inboundConversation(tx, ch.ID, m, now)
		if err != nil {
			return err
		}
		recs, err := shop.CustomerWrites(rd, conv.ID, msgID, m.Text, now, shop.NewID)
		if err != nil {
			return err
		}
		if m.At != nil && !m.At.IsZero() && !m.At.After(now) {
			var msg shop.Message
			if err := recs[0].Decode(&msg); err != nil {
				return err
			}
			msg.At = *m.At
			recs[0] = shop.NewRecord(shop.TypeMessage, msg.ID, msg)
		}
		for _, rec := range recs {
			if _, err := putRecord(tx, rec); err != nil {
				return err
			}
		}
		written = recs
		res = storeapi.InboundResult{Message: msgID, Conversation: conv.ID, Customer: conv.CustomerID}
		return nil
	})
	if err != nil {
		return storeapi.InboundResult{}, err
	}
	for _, rec := range written {
		if rec.Type == shop.TypeMessage && rec.ID == msgID {
			s.metrics.chat.WithLabelValues(string(shop.FromCustomer)).Inc()
		} else if rec.Type == shop.TypeMessage {
			s.metrics.chat.WithLabelValues(string(shop.FromAuto)).Inc()
		}
	}
	return res, nil
}

// inboundConversation finds the Kefu conversation of an inbound message's outside
// conversation, or makes it (with its customer, found again by the outside customer id,
// matched by phone or e-mail, or new).
func (s *Server) inboundConversation(tx store.Tx, channelID string, m storeapi.InboundMessage, now time.Time) (shop.Conversation, error) {
	rd := txReader{tx}
	var conv shop.Conversation
	if id, ok, err := extLookup(tx, channelID, "c:"+m.Conversation); err != nil {
		return conv, err
	} else if ok {
		if _, found, err := rd.Get(shop.TypeConversation, id, &conv); err != nil || found {
			return conv, err
		}
	}
	cust, err := s.inboundCustomer(tx, channelID, m.Customer, now)
	if err != nil {
		return conv, err
	}
	conv = shop.Conversation{ID: shop.NewID(), CustomerID: cust.ID, Nick: cust.Nick, Channel: channelID, ExternalID: m.Conversation, ExternalCustomer: m.Customer.ID}
	if _, err := putRecord(tx, shop.NewRecord(shop.TypeConversation, conv.ID, conv)); err != nil {
		return conv, err
	}
	return conv, tx.AddEntry(idxChExt.Name, store.Entry{Key: []any{channelID, "c:" + m.Conversation}, ID: conv.ID})
}

// inboundCustomer finds or makes the Kefu customer of an outside customer.
func (s *Server) inboundCustomer(tx store.Tx, channelID string, ic storeapi.InboundCustomer, now time.Time) (shop.Customer, error) {
	rd := txReader{tx}
	var cust shop.Customer
	if id, ok, err := extLookup(tx, channelID, "u:"+ic.ID); err != nil {
		return cust, err
	} else if ok {
		if _, found, err := rd.Get(shop.TypeCustomer, id, &cust); err != nil || found {
			return cust, err
		}
	}
	matched, found, err := matchContact(tx, ic.Phone, ic.Email)
	if err != nil {
		return cust, err
	}
	if found {
		cust = matched
	} else {
		cust = shop.Customer{ID: shop.NewID(), Nick: ic.Nick, Phone: ic.Phone, Email: ic.Email, CreatedAt: now}
	}
	cust.External = append(cust.External, shop.ExternalID{Channel: channelID, ID: ic.ID})
	if _, err := putRecord(tx, shop.NewRecord(shop.TypeCustomer, cust.ID, cust)); err != nil {
		return cust, err
	}
	return cust, tx.AddEntry(idxChExt.Name, store.Entry{Key: []any{channelID, "u:" + ic.ID}, ID: cust.ID})
}

// extLookup finds the Kefu id of an outside id of a channel.
func extLookup(tx store.ReadTx, channelID, ext string) (string, bool, error) {
	var id string
	q := store.Query{Prefix: []any{channelID, ext}}
	if idxChExt.CheckQuery(q) != nil {
		return "", false, nil
	}
	err := tx.Scan(idxChExt.Name, q, func(e store.Entry) bool { id = e.ID; return false })
	return id, id != "", err
}

// matchContact finds the one existing customer whom the phone and e-mail fit: found by one
// of them, with no other value in the other. Two customers that fit, or none, is no match.
func matchContact(tx store.ReadTx, phone, email string) (shop.Customer, bool, error) {
	seen := map[string]bool{}
	var match shop.Customer
	n := 0
	for _, key := range contactKeys(phone, email) {
		ids, err := entryIDs(tx, idxContact, key)
		if err != nil {
			return match, false, err
		}
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			var c shop.Customer
			if _, ok, err := (txReader{tx}).Get(shop.TypeCustomer, id, &c); err != nil {
				return match, false, err
			} else if !ok {
				continue
			}
			if (phone == "" || c.Phone == "" || c.Phone == phone) && (email == "" || c.Email == "" || strings.EqualFold(c.Email, email)) {
				match, n = c, n+1
			}
		}
	}
	return match, n == 1, nil
}

// contactKeys are the contact index keys of a phone and an e-mail address.
func contactKeys(phone, email string) []string {
	var keys []string
	if phone != "" {
		keys = append(keys, "phone:"+phone)
	}
	if email != "" {
		keys = append(keys, "email:"+strings.ToLower(email))
	}
	return keys
}

// customerContacts are the contact index entries of a customer record.
func customerContacts(rec shop.Record) []store.Entry {
	var c shop.Customer
	if rec.Deleted || rec.Decode(&c) != nil {
		return nil
	}
	var es []store.Entry
	for _, k := range contactKeys(c.Phone, c.Email) {
		e := store.Entry{Key: []any{k}, ID: rec.ID}
		if idxContact.CheckEntry(e) == nil {
			es = append(es, e)
		}
	}
	return es
}

// fillContacts adds the contact entries of every customer of the shop (a shop's first channel
// makes them: customers written before the contact index are not in it).
func fillContacts(tx store.Tx) error {
	var es []store.Entry
	err := tx.Feed(0, func(rec shop.Record) bool {
		if rec.Type == shop.TypeCustomer {
			es = append(es, customerContacts(rec)...)
		}
		return true
	})
	if err != nil {
		return err
	}
	for _, e := range es {
		if err := tx.AddEntry(idxContact.Name, e); err != nil {
			return err
		}
	}
	return nil
}

// afterPut keeps what channels need of a record just written (rec, with its seq; prev is its
// state before, when found): the contact index of customers, and a delivery queued for every
// new staff or auto-reply message of a channel's conversation.
func afterPut(tx store.Tx, prev shop.Record, hadPrev bool, rec shop.Record) error {
	switch rec.Type {
	case shop.TypeCustomer:
		var old []store.Entry
		if hadPrev {
			old = customerContacts(prev)
		}
		next := customerContacts(rec)
		for _, e := range old {
			if !containsEntry(next, e) {
				if err := tx.RemoveEntry(idxContact.Name, e); err != nil {
					return err
				}
			}
		}
		for _, e := range next {
			if err := tx.AddEntry(idxContact.Name, e); err != nil {
				return err
			}
		}
	case shop.TypeMessage:
		if hadPrev || rec.Deleted {
			return nil
		}
		return queueDelivery(tx, rec)
	}
	return nil
}

func containsEntry(es []store.Entry, e store.Entry) bool {
	for _, x := range es {
		if sameEntry(x, e) {
			return true
		}
	}
	return false
}
